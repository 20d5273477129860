package dev.berth.engine.build.dockerfile;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.berth.engine.BerthException;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/**
 * What each instruction becomes. Expected values follow the Dockerfile reference and dockerd
 * 20.10 (whole files are checked against a real dockerd in DockerfileCorpusTest); BuildKit-only
 * syntax (RUN --mount, COPY --link/--chmod, ADD --checksum/--keep-git-dir, HEALTHCHECK
 * --start-interval) follows BuildKit's reference.
 */
class DockerfileParserTest {

  private static List<Instruction> body(String instructions) {
    return Dockerfile.parse("FROM base\n" + instructions).stages().getFirst().instructions();
  }

  private static Instruction one(String instruction) {
    List<Instruction> in = body(instruction + "\n");
    assertThat(in).hasSize(1);
    return in.getFirst();
  }

  private static void fails(String instruction, String message) {
    assertThatThrownBy(() -> Dockerfile.parse("FROM base\n" + instruction + "\n"))
        .isInstanceOf(BerthException.InvalidArgument.class)
        .hasMessage(message);
  }

  @Test
  void stagesGlobalArgsAndInstructions() {
    Dockerfile df = Dockerfile.parse("""
        ARG BASE=busybox
        FROM $BASE AS Build
        RUN echo hi > /x
        FROM --platform=linux/amd64 busybox as final
        COPY --from=build /x /y
        CMD ["cat", "/y"]
        """);
    assertThat(df.escape()).isEqualTo('\\');
    assertThat(df.syntax()).isEmpty();
    assertThat(df.warnings()).isEmpty();
    assertThat(df.globalArgs()).containsExactly(
        new Instruction.Arg(1, "ARG BASE=busybox", List.of(new ArgDecl("BASE", Optional.of("busybox")))));
    assertThat(df.stages()).hasSize(2);
    Stage build = df.stages().get(0);
    assertThat(build.index()).isZero();
    assertThat(build.name()).contains("build"); // lower-cased
    assertThat(build.from()).isEqualTo(
        new Instruction.From(2, "FROM $BASE AS Build", "$BASE", Optional.of("build"), Optional.empty()));
    assertThat(build.instructions()).containsExactly(
        new Instruction.Run(3, "RUN echo hi > /x", new Command.Shell("echo hi > /x"), Map.of(), List.of()));
    Stage last = df.stages().get(1);
    assertThat(last.index()).isEqualTo(1);
    assertThat(last.from().platform()).contains("linux/amd64");
    assertThat(last.name()).contains("final");
    assertThat(last.instructions().get(1)).isEqualTo(
        new Instruction.Cmd(6, "CMD [\"cat\", \"/y\"]", new Command.Exec(List.of("cat", "/y"))));
    assertThat(df.instructions()).extracting(Instruction::keyword)
        .containsExactly("ARG", "FROM", "RUN", "FROM", "COPY", "CMD");
  }

  @Test
  void runCmdAndEntrypointInBothForms() {
    assertThat(((Instruction.Run) one("RUN [\"/bin/echo\", \"a b\"]")).command())
        .isEqualTo(new Command.Exec(List.of("/bin/echo", "a b")));
    assertThat(((Instruction.Run) one("RUN   echo  $HOME  ")).command()).isEqualTo(new Command.Shell("echo  $HOME"));
    assertThat(((Instruction.Cmd) one("CMD []")).command()).isEqualTo(new Command.Exec(List.of()));
    assertThat(((Instruction.Cmd) one("CMD")).command()).isEqualTo(new Command.Shell(""));
    assertThat(((Instruction.Entrypoint) one("ENTRYPOINT [\"top\", \"-b\"]")).command())
        .isEqualTo(new Command.Exec(List.of("top", "-b")));
    assertThat(((Instruction.Entrypoint) one("entrypoint exec top -b")).command())
        .isEqualTo(new Command.Shell("exec top -b"));
  }

  @Test
  void jsonFormIsTheFirstJsonArrayOrElseTheShellForm() {
    // Go's JSON decoder reads one value: text after the array is ignored, as dockerd does
    assertThat(((Instruction.Cmd) one("CMD [\"a\"] tail")).command()).isEqualTo(new Command.Exec(List.of("a")));
    assertThat(((Instruction.Cmd) one("CMD [ \"a\" , \"\\u00e9\\t\" ]")).command())
        .isEqualTo(new Command.Exec(List.of("a", "é\t")));
    // not valid JSON: the whole text is a shell command
    assertThat(((Instruction.Cmd) one("CMD [\"a\" \"b\"]")).command()).isEqualTo(new Command.Shell("[\"a\" \"b\"]"));
    assertThat(((Instruction.Cmd) one("CMD ['a']")).command()).isEqualTo(new Command.Shell("['a']"));
    fails("CMD [\"a\", null]",
        "failed to parse Dockerfile: when using JSON array syntax, arrays must be comprised of strings only");
  }

  @Test
  void runFlagsAreKeptForTheExecutorToJudge() {
    Instruction.Run run = (Instruction.Run) one(
        "RUN --mount=type=cache,target=/root/.cache --mount=type=secret,id=x --network=none --security=insecure make");
    assertThat(run.flags()).containsExactly(
        Map.entry("mount", List.of("type=cache,target=/root/.cache", "type=secret,id=x")),
        Map.entry("network", List.of("none")), Map.entry("security", List.of("insecure")));
    assertThat(run.command()).isEqualTo(new Command.Shell("make"));
    fails("RUN --network=a --network=b true", "dockerfile parse error line 2: Duplicate flag specified: network");
    fails("RUN --privileged true", "dockerfile parse error line 2: Unknown flag: privileged");
    // "--" ends the flags
    assertThat(((Instruction.Run) one("RUN -- --not-a-flag")).command()).isEqualTo(new Command.Shell("--not-a-flag"));
  }

  @Test
  void envBothForms() {
    assertThat(one("ENV A=1 B=\"two words\" C=three\\ words")).isEqualTo(new Instruction.Env(2,
        "ENV A=1 B=\"two words\" C=three\\ words",
        List.of(new KeyValue("A", "1"), new KeyValue("B", "\"two words\""), new KeyValue("C", "three\\ words"))));
    // the legacy form: one pair, the value is the rest of the line
    assertThat(((Instruction.Env) one("ENV LEGACY  value  with spaces")).pairs())
        .containsExactly(new KeyValue("LEGACY", "value  with spaces"));
    assertThat(((Instruction.Env) one("ENV EMPTY= X=\"\"")).pairs())
        .containsExactly(new KeyValue("EMPTY", ""), new KeyValue("X", "\"\""));
  }

  @Test
  void labelArgExposeVolume() {
    assertThat(((Instruction.Label) one("LABEL \"com.example.vendor\"=\"ACME Inc\" version=1.0")).pairs())
        .containsExactly(new KeyValue("\"com.example.vendor\"", "\"ACME Inc\""), new KeyValue("version", "1.0"));
    assertThat(((Instruction.Arg) one("ARG a b=2 c= d=\"x y\"")).args()).containsExactly(
        new ArgDecl("a", Optional.empty()), new ArgDecl("b", Optional.of("2")), new ArgDecl("c", Optional.of("")),
        new ArgDecl("d", Optional.of("\"x y\"")));
    // dockerd never reads ARG's flags
    assertThat(((Instruction.Arg) one("ARG --whatever=1 a")).args()).containsExactly(new ArgDecl("a", Optional.empty()));
    assertThat(((Instruction.Expose) one("EXPOSE 80/tcp  53/udp $PORT")).ports()).containsExactly("80/tcp", "53/udp", "$PORT");
    assertThat(((Instruction.Volume) one("VOLUME /a  /b")).paths()).containsExactly("/a", "/b");
    assertThat(((Instruction.Volume) one("VOLUME [\"/a b\", \"/c\"]")).paths()).containsExactly("/a b", "/c");
  }

  @Test
  void singleArgumentInstructionsKeepTheirText() {
    assertThat(one("USER app:staff")).isEqualTo(new Instruction.User(2, "USER app:staff", "app:staff"));
    assertThat(one("USER a b")).isEqualTo(new Instruction.User(2, "USER a b", "a b")); // as dockerd
    assertThat(one("WORKDIR /srv/$APP")).isEqualTo(new Instruction.Workdir(2, "WORKDIR /srv/$APP", "/srv/$APP"));
    assertThat(one("STOPSIGNAL SIGKILL")).isEqualTo(new Instruction.StopSignal(2, "STOPSIGNAL SIGKILL", "SIGKILL"));
    assertThat(one("MAINTAINER A <a@b.c>")).isEqualTo(new Instruction.Maintainer(2, "MAINTAINER A <a@b.c>", "A <a@b.c>"));
    assertThat(one("SHELL [\"powershell\", \"-command\"]"))
        .isEqualTo(new Instruction.Shell(2, "SHELL [\"powershell\", \"-command\"]", List.of("powershell", "-command")));
  }

  @Test
  void copyAndAddFlags() {
    Instruction.Copy copy = (Instruction.Copy) one(
        "COPY --from=build --chown=1:2 --chmod=0755 --link a b /dest/");
    assertThat(copy).isEqualTo(new Instruction.Copy(2, "COPY --from=build --chown=1:2 --chmod=0755 --link a b /dest/",
        List.of("a", "b"), "/dest/", Optional.of("build"), Optional.of("1:2"), Optional.of("0755"), true, List.of()));
    Instruction.Copy json = (Instruction.Copy) one("COPY [\"a b\", \"/c d/\"]");
    assertThat(json.sources()).containsExactly("a b");
    assertThat(json.dest()).isEqualTo("/c d/");
    assertThat(json.from()).isEmpty();
    assertThat(json.link()).isFalse();
    assertThat(((Instruction.Copy) one("COPY --link=false a b")).link()).isFalse();
    assertThat(((Instruction.Copy) one("COPY --link=TRUE a b")).link()).isTrue();
    fails("COPY --link=maybe a b", "dockerfile parse error line 2: Expecting boolean value for flag link, not: maybe");
    fails("COPY --link= a b", "dockerfile parse error line 2: Missing a value on flag: link");
    fails("COPY --checksum=sha256:x a b", "dockerfile parse error line 2: Unknown flag: checksum");

    Instruction.Add add = (Instruction.Add) one(
        "ADD --chown=app --chmod=644 --checksum=sha256:abc --keep-git-dir --link https://x/y.tar /opt/");
    assertThat(add).isEqualTo(new Instruction.Add(2,
        "ADD --chown=app --chmod=644 --checksum=sha256:abc --keep-git-dir --link https://x/y.tar /opt/",
        List.of("https://x/y.tar"), "/opt/", Optional.of("app"), Optional.of("644"), Optional.of("sha256:abc"), true,
        true, List.of()));
    fails("ADD --from=x a b", "dockerfile parse error line 2: Unknown flag: from");
  }

  @Test
  void healthcheck() {
    Instruction.Healthcheck h = (Instruction.Healthcheck) one(
        "HEALTHCHECK --interval=1m30s --timeout=1.5s --start-period=250ms --start-interval=2s --retries=5 CMD curl -f x || exit 1");
    assertThat(h.command()).contains(new Command.Shell("curl -f x || exit 1"));
    assertThat(h.interval()).isEqualTo(Duration.ofSeconds(90));
    assertThat(h.timeout()).isEqualTo(Duration.ofMillis(1500));
    assertThat(h.startPeriod()).isEqualTo(Duration.ofMillis(250));
    assertThat(h.startInterval()).isEqualTo(Duration.ofSeconds(2));
    assertThat(h.retries()).isEqualTo(5);
    assertThat(h.none()).isFalse();
    assertThat(h.test()).containsExactly("CMD-SHELL", "curl -f x || exit 1");

    Instruction.Healthcheck exec = (Instruction.Healthcheck) one("HEALTHCHECK cmd [\"/bin/check\", \"-q\"]");
    assertThat(exec.test()).containsExactly("CMD", "/bin/check", "-q");
    assertThat(exec.interval()).isZero(); // not given: the runtime's default
    assertThat(exec.retries()).isZero();

    Instruction.Healthcheck none = (Instruction.Healthcheck) one("HEALTHCHECK --interval=5s --bogus NONE");
    assertThat(none.none()).isTrue(); // dockerd ignores the flags of NONE
    assertThat(none.test()).containsExactly("NONE");

    assertThat(((Instruction.Healthcheck) one("HEALTHCHECK --interval=1h2m3.5s --timeout=.5s --start-period=2.s CMD x"))
        .interval()).isEqualTo(Duration.ofMillis(3_723_500));
    fails("HEALTHCHECK --interval=1us CMD x", "dockerfile parse error line 2: Interval \"interval\" cannot be less than 1ms");
    fails("HEALTHCHECK --interval=. CMD x", "dockerfile parse error line 2: time: invalid duration \".\"");
    fails("HEALTHCHECK --retries=99999999999 CMD x",
        "dockerfile parse error line 2: strconv.ParseInt: parsing \"99999999999\": value out of range");
  }

  @Test
  void onBuildKeepsItsTriggerTextAndParsesItLikeAChild() {
    Instruction.OnBuild ob = (Instruction.OnBuild) one("ONBUILD   RUN echo \"child\"");
    assertThat(ob.original()).isEqualTo("ONBUILD   RUN echo \"child\"");
    assertThat(ob.expression()).isEqualTo("RUN echo \"child\"");
    assertThat(ob.trigger()).isEqualTo(new Instruction.Run(1, "RUN echo \"child\"", new Command.Shell("echo \"child\""),
        Map.of(), List.of()));
    // as in dockerd, an unknown trigger is the child's error, not the parent's
    Instruction.OnBuild later = (Instruction.OnBuild) one("onbuild FOO x");
    assertThatThrownBy(later::trigger).hasMessage("dockerfile parse error line 1: unknown instruction: FOO");
  }

  @Test
  void parseInstructionReadsOneStoredTrigger() {
    assertThat(Dockerfile.parseInstruction("COPY . /src")).isEqualTo(new Instruction.Copy(1, "COPY . /src",
        List.of("."), "/src", Optional.empty(), Optional.empty(), Optional.empty(), false, List.of()));
    assertThat(Dockerfile.parseInstruction("  ENV A=1\n")).isEqualTo(
        new Instruction.Env(1, "ENV A=1", List.of(new KeyValue("A", "1"))));
    assertThatThrownBy(() -> Dockerfile.parseInstruction("COPY a"))
        .hasMessage("dockerfile parse error line 1: COPY requires at least two arguments, but only one was provided."
            + " Destination could not be determined");
    assertThatThrownBy(() -> Dockerfile.parseInstruction("  ")).isInstanceOf(BerthException.InvalidArgument.class);
    assertThat(Dockerfile.parseInstruction("RUN a \\\n  b").original()).isEqualTo("RUN a   b");
    assertThatThrownBy(() -> Dockerfile.parseInstruction("RUN a\nRUN b"))
        .hasMessage("an ONBUILD trigger must be one instruction, not 2: \"RUN a\nRUN b\"");
  }

  @Test
  void checkDirectiveIsIgnoredWithOneWarning() {
    Dockerfile df = Dockerfile.parse("# check=skip=all\nFROM base\n");
    assertThat(df.warnings()).containsExactly("[WARNING]: the check directive is ignored by Berth's builder");
  }

  @Test
  void escapeDirective() {
    Dockerfile df = Dockerfile.parse("# escape=`\nFROM base\nRUN dir C:\\ `\n  /b\n");
    assertThat(df.escape()).isEqualTo('`');
    Instruction.Run run = (Instruction.Run) df.stages().getFirst().instructions().getFirst();
    assertThat(run.original()).isEqualTo("RUN dir C:\\   /b");
    // case-insensitive, blanks allowed
    assertThat(Dockerfile.parse("#ESCAPE = `\nFROM base\n").escape()).isEqualTo('`');
    // a directive after a blank line, a comment or an instruction is a comment
    assertThat(Dockerfile.parse("\n# escape=`\nFROM base\n").escape()).isEqualTo('\\');
    assertThat(Dockerfile.parse("# hello\n# escape=`\nFROM base\n").escape()).isEqualTo('\\');
    assertThat(Dockerfile.parse("FROM base\n# escape=`\n").escape()).isEqualTo('\\');
  }

  @Test
  void syntaxDirectiveIsRecordedAndWarnedAbout() {
    Dockerfile df = Dockerfile.parse("# syntax=docker/dockerfile:1.7\n# escape=`\nFROM base\n");
    assertThat(df.syntax()).contains("docker/dockerfile:1.7");
    assertThat(df.escape()).isEqualTo('`'); // directives may follow one another
    assertThat(df.warnings()).singleElement().asString().contains("docker/dockerfile:1.7").contains("ignored");
    assertThatThrownBy(() -> Dockerfile.parse("# syntax=a\n# syntax=b\nFROM base\n"))
        .hasMessage("failed to parse Dockerfile: only one syntax parser directive can be used");
  }

  @Test
  void emptyContinuationLinesAreWarnedAboutAsDockerDoes() {
    Dockerfile df = Dockerfile.parse("FROM base\nRUN a \\\n\n  b\n");
    assertThat(df.warnings()).containsExactly("[WARNING]: Empty continuation line found in:\n    RUN a   b",
        "[WARNING]: Empty continuation lines will become errors in a future release.");
    assertThat(df.stages().getFirst().instructions().getFirst().original()).isEqualTo("RUN a   b");
  }

  @Test
  void linesNumbersCountEveryPhysicalLine() {
    List<Instruction> in = body("# c\n\nRUN a \\\n  # c\n  b\nUSER x\n");
    assertThat(in).extracting(Instruction::line).containsExactly(4, 7);
  }

  @Test
  void crlfByteOrderMarkAndCase() {
    Dockerfile df = Dockerfile.parse("\uFEFFfrom base\r\nrUn a \\\r\n  b\r\nEnv X=1\r\n");
    List<Instruction> in = df.stages().getFirst().instructions();
    assertThat(in.get(0).original()).isEqualTo("rUn a   b");
    assertThat(in.get(1)).isEqualTo(new Instruction.Env(3 + 1, "Env X=1", List.of(new KeyValue("X", "1"))));
  }

  @Test
  void aFileThatEndsInsideAContinuationKeepsWhatItHas() {
    List<Instruction> in = body("RUN a \\");
    assertThat(in.getFirst().original()).isEqualTo("RUN a");
    assertThat(((Instruction.Run) in.getFirst()).command()).isEqualTo(new Command.Shell("a"));
  }

  @Test
  void errorsBeyondTheCorpus() {
    assertThatThrownBy(() -> Dockerfile.parse("ARG A=1\n"))
        .hasMessage("dockerfile contains no stages to build"); // dockerd 20.10 fails without words here
    fails("ONBUILD ONBUILD RUN x", "dockerfile parse error line 2: Chaining ONBUILD via `ONBUILD ONBUILD` isn't allowed");
    fails("COPY --chown=a --chown=b x y", "dockerfile parse error line 2: Duplicate flag specified: chown");
  }
}
