package dev.berth.cli.command.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import dev.berth.cli.json.Json;
import java.io.PrintWriter;
import java.io.StringWriter;
import org.junit.jupiter.api.Test;

class BenchOutputTest {
  private static final String REPORT = """
      {"Id":"0123456789ab","Created":"2026-12-07T00:56:49.061Z","DurationSeconds":126.4,
       "Options":{"Quick":true,"Runs":0,"Image":"busybox:latest","Kinds":["container","microvm","vm"],"VmImage":"","DockerHost":""},
       "Host":{"Kernel":"6.18.44","Cpus":2,"MemoryBytes":25769803776,"LoadAverage":23.02,"BerthVersion":"0.1.0"},
       "Kinds":[
        {"Kind":"container","Label":"container (runc)","Status":"measured","Reason":"",
         "Figures":[{"Key":"start.firstOutput.median","Label":"l","Value":467.2,"Unit":"ms","Method":"m","Samples":5},
                    {"Key":"start.firstOutput.p90","Label":"l","Value":668.0,"Unit":"ms","Method":"m","Samples":5},
                    {"Key":"memory.pss","Label":"l","Value":1.77,"Unit":"MiB","Method":"m","Samples":1},
                    {"Key":"density.instances","Label":"l","Value":10.0,"Unit":"instances","Method":"m","Samples":1},
                    {"Key":"cpu.hash.ratio","Label":"l","Value":0.893,"Unit":"x","Method":"m","Samples":1}],
         "Isolation":{"Kernel":"6.18.44","OwnKernel":false},"Notes":[],"Verdict":"starts in 467 ms (p90 668 ms)"},
        {"Kind":"microvm","Label":"microVM","Status":"measured","Reason":"",
         "Figures":[{"Key":"start.firstOutput.median","Label":"l","Value":16400.0,"Unit":"ms","Method":"m","Samples":2}],
         "Isolation":{"Kernel":"6.1.0-57-amd64","OwnKernel":true},"Notes":[],"Verdict":"starts in 16.4 s"},
        {"Kind":"vm","Label":"full VM","Status":"skipped","Reason":"no --vm-image given","Figures":[],
         "Isolation":null,"Notes":[],"Verdict":"skipped: no --vm-image given"}]}
      """;

  @Test
  void theTableHasARowPerKindThenItsVerdict() throws Exception {
    StringWriter s = new StringWriter();
    BenchOutput.table(Json.parse(REPORT), new PrintWriter(s, true));
    String out = s.toString();
    assertThat(out).contains("Bench 0123456789ab", "126 s (quick)", "load 23.0");
    assertThat(out).containsPattern("container +measured +467 ms/668 ms +- +1\\.77 MiB +10 +0\\.89×");
    assertThat(out).containsPattern("microvm +measured +16\\.4 s +-");
    assertThat(out).contains("own 6.1.0-57-amd64", "host 6.18.44");
    assertThat(out).containsPattern("vm +skipped +- ");
    assertThat(out).contains("container: starts in 467 ms (p90 668 ms)\n", "microvm: starts in 16.4 s\n",
        "vm: skipped: no --vm-image given\n");
    assertThat(out).contains("berth bench show 0123456789ab --format json");
  }

  @Test
  void theListShowsWhatEachRunMeasured() throws Exception {
    JsonNode list = Json.parse("[{\"Id\":\"0123456789ab\",\"Created\":\"2026-12-07T00:56:49Z\",\"DurationSeconds\":63.2,"
        + "\"Quick\":true,\"Image\":\"busybox:latest\",\"Measured\":[\"container\",\"microvm\"]}]");
    StringWriter s = new StringWriter();
    BenchOutput.list(list, new PrintWriter(s, true));
    assertThat(s.toString()).contains("BENCH ID").containsPattern(
        "0123456789ab +2026-12-07T00:56:49Z +63\\.2 s +yes +busybox:latest +container, microvm");
  }

  @Test
  void progressIsPlainLinesUnlessOnATerminal() {
    StringWriter plain = new StringWriter();
    BenchCommand.Progress p = new BenchCommand.Progress(new PrintWriter(plain, true), false);
    p.show(3, 12, "container", "memory and isolation facts");
    p.end();
    assertThat(plain.toString()).isEqualTo("[3/12] container: memory and isolation facts\n");

    StringWriter tty = new StringWriter();
    BenchCommand.Progress bar = new BenchCommand.Progress(new PrintWriter(tty, true), true);
    bar.show(6, 12, "container", "density");
    assertThat(tty.toString()).contains("\r\033[K[############............] 6/12 container: density");
    bar.end();
    assertThat(tty.toString()).endsWith("\r\033[K");
  }

  @Test
  void onlyTableOrJsonFormats() {
    assertThat(BenchOutput.json(null)).isFalse();
    assertThat(BenchOutput.json("json")).isTrue();
    assertThatThrownBy(() -> BenchOutput.json("{{.Id}}")).hasMessageContaining("table or json");
  }
}
