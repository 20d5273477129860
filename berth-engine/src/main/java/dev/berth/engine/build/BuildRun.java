package dev.berth.engine.build;

import dev.berth.engine.BerthException;
import dev.berth.engine.build.dockerfile.ArgDecl;
import dev.berth.engine.build.dockerfile.Command;
import dev.berth.engine.build.dockerfile.Dockerfile;
import dev.berth.engine.build.dockerfile.Expander;
import dev.berth.engine.build.dockerfile.Heredoc;
import dev.berth.engine.build.dockerfile.Instruction;
import dev.berth.engine.build.dockerfile.Stage;
import dev.berth.engine.image.Image;
import dev.berth.engine.image.ImageConfig;
import dev.berth.engine.image.Reference;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;
import java.util.function.Predicate;

/**
 * One build: the planned stages run on virtual threads (each waits only for the stages it
 * reads), their output kept in Dockerfile order ({@link OrderedOutput}); each step is looked up
 * in the cache first. The result is the target stage's image, labelled and tagged.
 */
final class BuildRun {
  /** Args every build knows without a global ARG (BuildKit's platform args, the proxies). */
  static final Set<String> PROXY_ARGS = dev.berth.engine.build.dockerfile.PredefinedArgs.PROXY;
  private static final Map<String, String> PLATFORM_ARGS = dev.berth.engine.build.dockerfile.PredefinedArgs.HOST_PLATFORM;

  static final String DEFAULT_PATH = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";
  private final BuildService.Parts parts;
  private final BuildRequest req;
  private final Dockerfile dockerfile;
  private final Expander expander;
  private final BuildCancel cancel;
  private final Predicate<String> excluded;
  private final Map<String, String> globalArgs = new LinkedHashMap<>();
  private final Set<String> consumedArgs = ConcurrentHashMap.newKeySet();
  private final Map<Integer, CompletableFuture<Image>> stageResults = new ConcurrentHashMap<>();
  /** The cache entries this build used, counted in one write when it ends. */
  private final java.util.Queue<String> cacheHits = new java.util.concurrent.ConcurrentLinkedQueue<>();
  private BuildPlan plan;
  private List<Image> cacheFrom;

  /** The --cache-from images present here (dockerd does not pull them either). */
  private synchronized List<Image> cacheFromImages() {
    if (cacheFrom == null) {
      cacheFrom = req.cacheFrom().stream().map(n -> {
        try {
          return parts.images().local(n);
        } catch (BerthException e) {
          return Optional.<Image>empty();
        }
      }).flatMap(Optional::stream).toList();
    }
    return cacheFrom;
  }

  BuildRun(BuildService.Parts parts, BuildRequest req, Dockerfile dockerfile, Predicate<String> excluded,
      BuildCancel cancel) {
    this.parts = parts;
    this.req = req;
    this.dockerfile = dockerfile;
    this.expander = new Expander(dockerfile.escape());
    this.excluded = excluded;
    this.cancel = cancel;
  }

  /** Runs the build; returns the final image (labelled, not yet tagged). */
  Image run(Consumer<BuildEvent> events) {
    try (AutoCloseable link = cancel.whenCancelled(internal::cancel)) {
      return runStages(events);
    } catch (RuntimeException e) {
      throw e;
    } catch (Exception e) {
      throw new IllegalStateException(e);
    } finally {
      parts.cache().countUses(new ArrayList<>(cacheHits));
    }
  }

  private Image runStages(Consumer<BuildEvent> events) {
    List<String> labelSteps = labelInstructions(req.labels());
    plan = BuildPlan.of(dockerfile, req.target(), labelSteps.size());
    for (Instruction i : dockerfile.globalArgs()) {
      events.accept(step(i));
      for (ArgDecl a : ((Instruction.Arg) i).args()) {
        consumedArgs.add(a.name());
        String value = req.buildArgs().containsKey(a.name()) ? req.buildArgs().get(a.name())
            : a.defaultValue().map(d -> expander.expand(d, globalArgs)).orElse(null);
        if (value != null) {
          globalArgs.put(a.name(), value);
        }
      }
    }
    List<Stage> stages = plan.stages();
    for (Stage s : stages) {
      stageResults.put(s.index(), new CompletableFuture<>());
    }
    OrderedOutput out = new OrderedOutput(events, stages.size());
    List<Thread> threads = new ArrayList<>();
    for (int slot = 0; slot < stages.size(); slot++) {
      Stage stage = stages.get(slot);
      Consumer<BuildEvent> sink = out.slot(slot);
      int mySlot = slot;
      threads.add(Thread.ofVirtual().name("build-stage-" + stage.index()).start(() -> {
        CompletableFuture<Image> result = stageResults.get(stage.index());
        try {
          Image image = new StageRun(stage, sink).run();
          if (stage.index() == plan.target() && !labelSteps.isEmpty()) {
            image = new StageRun(stage, sink).labels(image);
          }
          result.complete(image);
        } catch (Throwable t) {
          if (!(t instanceof StageFailedElsewhere)) {
            firstFailure.compareAndSet(null, t); // the build's error is the one that happened first
          }
          result.completeExceptionally(t);
          cancelOthers();
        } finally {
          out.finish(mySlot);
        }
      }));
    }
    for (Thread t : threads) {
      try {
        t.join();
      } catch (InterruptedException e) {
        cancel.cancel();
        Thread.currentThread().interrupt();
      }
    }
    out.flushAll();
    Throwable failed = firstFailure.get();
    if (failed != null) {
      throw failed instanceof RuntimeException r ? r : new BuildException(String.valueOf(failed), 1, failed);
    }
    List<String> unused = req.buildArgs().keySet().stream()
        .filter(a -> !consumedArgs.contains(a) && !PROXY_ARGS.contains(a)).sorted().toList();
    if (!unused.isEmpty()) {
      events.accept(new BuildEvent.Stream("[Warning] One or more build-args [" + String.join(" ", unused)
          + "] were not consumed\n"));
    }
    return stageResults.get(plan.target()).join();
  }

  /** Another stage failed: this one was stopped; its own error is not the build's. */
  private static final class StageFailedElsewhere extends RuntimeException {
    StageFailedElsewhere() {
      super("the build was stopped by a failing stage");
    }
  }

  /** Cancelled by the client's cancel or by a failing stage: stops the other stages' RUN steps too. */
  private final BuildCancel internal = new BuildCancel();
  private final java.util.concurrent.atomic.AtomicReference<Throwable> firstFailure =
      new java.util.concurrent.atomic.AtomicReference<>();

  private void cancelOthers() {
    internal.cancel();
  }

  private void checkCancelled() {
    cancel.check();
    if (internal.isCancelled()) {
      throw new StageFailedElsewhere();
    }
  }

  /** The request's labels as dockerd 20.10 adds them: one {@code LABEL k=v} step per label, keys sorted. */
  static List<String> labelInstructions(Map<String, String> labels) {
    return new TreeMap<>(labels).entrySet().stream().map(e -> "LABEL " + e.getKey() + "=" + e.getValue()).toList();
  }

  private BuildEvent step(Instruction i) {
    return new BuildEvent.Stream("Step " + plan.stepNumbers().get(i) + "/" + plan.totalSteps() + " : " + i.original()
        + "\n");
  }

  private static BuildEvent line(String s) {
    return new BuildEvent.Stream(s + "\n");
  }

  /** One stage's run. */
  private final class StageRun {
    private final Stage stage;
    private final Consumer<BuildEvent> out;
    private final Map<String, String> args = new LinkedHashMap<>();
    private Image image;
    private boolean cmdSet;
    private boolean clearInheritedOnBuild;


    StageRun(Stage stage, Consumer<BuildEvent> out) {
      this.stage = stage;
      this.out = out;
    }

    Image run() {
      checkCancelled();
      out.accept(step(stage.from()));
      image = base(stage.from());
      out.accept(line(" ---> " + image.shortId()));

      runTriggers();
      for (Instruction i : stage.instructions()) {
        checkCancelled();
        out.accept(step(i));
        execute(i, true);
      }
      return image;
    }

    /** The request's labels as the last steps of the target stage. */
    Image labels(Image current) {
      image = current;
      int n = plan.totalSteps() - req.labels().size();
      for (Map.Entry<String, String> l : new TreeMap<>(req.labels()).entrySet()) {
        String text = "LABEL " + l.getKey() + "=" + l.getValue();
        out.accept(new BuildEvent.Stream("Step " + (++n) + "/" + plan.totalSteps() + " : " + text + "\n"));
        ConfigSteps.Config c = config();
        c.labels = c.labels == null ? new TreeMap<>() : new TreeMap<>(c.labels);
        c.labels.put(l.getKey(), l.getValue());
        commitConfig(c, text);
      }
      return image;
    }

    private Image base(Instruction.From from) {
      Map<String, String> fromVars = new LinkedHashMap<>(PLATFORM_ARGS);
      fromVars.putAll(globalArgs);
      String name = expander.expand(from.image(), fromVars);
      if (from.platform().isPresent()) {
        String p = expander.expand(from.platform().get(), fromVars);
        checkPlatform(p);
      }
      Optional<Integer> stageRef = BuildPlan.stageReference(dockerfile.stages(), name, stage.index(), false);
      if (stageRef.isPresent()) {
        return awaitStage(stageRef.get());
      }
      if (name.equalsIgnoreCase("scratch")) {
        return parts.stepImages().scratch();
      }
      return parts.images().resolve(name, req.pull(), req.authForRegistry());
    }

    /** A base image's ONBUILD triggers run first, as steps without a number; the child keeps none. */
    private void runTriggers() {
      ImageConfig.RunConfig rc = image.config().config();
      List<String> triggers = rc == null || rc.onBuild() == null ? List.of() : rc.onBuild();
      if (triggers.isEmpty()) {
        return;
      }
      out.accept(line("# Executing " + triggers.size() + " build trigger" + (triggers.size() == 1 ? "" : "s")));
      clearInheritedOnBuild = true; // the child keeps none of them (dockerd clears them after running)
      for (String t : triggers) {
        Instruction trigger;
        try {
          trigger = Dockerfile.parseInstruction(t);
        } catch (BerthException e) {
          throw new BuildException("failed to parse the base image's ONBUILD trigger '" + t + "': " + e.getMessage());
        }
        if (trigger instanceof Instruction.From || trigger instanceof Instruction.OnBuild
            || trigger instanceof Instruction.Maintainer) {
          throw new BuildException(trigger.keyword() + " isn't allowed as an ONBUILD trigger");
        }
        checkCancelled();
        execute(trigger, true);
      }
    }

    private void execute(Instruction i, boolean printResult) {
      switch (i) {
        case Instruction.Run r -> run(r);
        case Instruction.Copy c -> copy(c.sources(), c.dest(), c.from(), c.chown(), c.chmod(), c.heredocs(), false,
            Optional.empty(), c.original(), "COPY");
        case Instruction.Add a -> copy(a.sources(), a.dest(), Optional.empty(), a.chown(), a.chmod(), a.heredocs(),
            true, a.checksum(), a.original(), "ADD");
        case Instruction.Arg a -> arg(a);
        case Instruction.Workdir w -> workdir(w);
        case Instruction.Maintainer m -> {
          ConfigSteps.Config c = config();
          commit(Optional.empty(), c, "MAINTAINER " + m.maintainer(), BuildCache.Kind.INTERNAL, Map.of(), "",
              m.maintainer());
        }
        case Instruction.From f -> throw new BuildException("FROM cannot be used here");
        default -> {
          ConfigSteps.Config c = config();
          String text = ConfigSteps.apply(c, i, expander, vars(c), cmdSet);
          if (i instanceof Instruction.Cmd) {
            cmdSet = true;
          }
          commitConfig(c, text);
        }
      }
    }

    /** The current config; a base without PATH gets Docker's default one first, as dockerd's FROM does. */
    private ConfigSteps.Config config() {
      ConfigSteps.Config c = ConfigSteps.Config.of(image.config().config());
      if (!c.envMap().containsKey("PATH")) {
        List<String> env = new ArrayList<>();
        env.add("PATH=" + DEFAULT_PATH);
        if (c.env != null) {
          env.addAll(c.env);
        }
        c.env = env;
      }
      if (clearInheritedOnBuild) {
        c.onBuild = null;
      }
      return c;
    }

    /** Expansion variables: the stage's args with values, overlaid by the env (ENV wins, as in Docker). */
    private Map<String, String> vars(ConfigSteps.Config c) {
      Map<String, String> v = new LinkedHashMap<>(args);
      v.putAll(c.envMap());
      return v;
    }

    private void arg(Instruction.Arg a) {
      ConfigSteps.Config c = config();
      StringBuilder text = new StringBuilder("ARG");
      for (ArgDecl d : a.args()) {
        consumedArgs.add(d.name());
        String value;
        if (req.buildArgs().containsKey(d.name())) {
          value = req.buildArgs().get(d.name());
        } else if (d.defaultValue().isPresent()) {
          value = expander.expand(d.defaultValue().get(), vars(c));
        } else {
          value = globalArgs.containsKey(d.name()) ? globalArgs.get(d.name()) : PLATFORM_ARGS.get(d.name());
        }
        if (value != null) {
          args.put(d.name(), value);
        } else {
          args.remove(d.name());
        }
        text.append(' ').append(d.name()).append(value == null ? "" : "=" + value);
      }
      commitConfig(c, text.toString());
    }

    /** Config-only steps: a new image with the config, no layer; cached like any step. */
    private void commitConfig(ConfigSteps.Config c, String text) {
      commit(Optional.empty(), c, text, BuildCache.Kind.INTERNAL, Map.of(), "", null);
    }

    /**
     * Looks the step up in the cache ({@code " ---> Using cache"}) or makes it with {@code make}
     * (which returns the layer), then records the child image and its cache entry.
     */
    private void commit(Optional<LayerMaker> make, ConfigSteps.Config c, String text, BuildCache.Kind kind,
        Map<String, String> argsRead, String sources, String author) {
      String key = BuildCache.key(image.id().toString(), kind, text + (author == null ? "" : "\0" + author), argsRead,
          sources);
      if (!req.noCache()) {
        Optional<Image> hit = parts.cache().lookup(key);
        if (hit.isPresent()) {
          cacheHits.add(key);
          out.accept(line(" ---> Using cache"));
          image = hit.get();
          clearInheritedOnBuild = false;
          out.accept(line(" ---> " + image.shortId()));
          return;
        }
      }
      Image parent = image;
      String createdBy = kind == BuildCache.Kind.REGULAR ? text
          : "/bin/sh -c #(nop)  " + text + (sources.isEmpty() ? "" : " sha256:" + sources);
      Optional<Optional<Image.ImageLayer>> fromCacheImage = req.noCache() ? Optional.empty()
          : cacheFromLayer(parent, createdBy);
      Optional<Image.ImageLayer> layer;
      if (fromCacheImage.isPresent()) {
        out.accept(line(" ---> Using cache"));
        layer = fromCacheImage.get();
      } else {
        layer = make.isPresent() ? make.get().make() : Optional.empty();
      }
      Image child = parts.stepImages().child(parent, layer, c.toRunConfig(), createdBy);
      if (author != null) {
        child = parts.stepImages().withAuthor(child, author);
      }
      parts.cache().store(key, parent, child, kind, text);
      image = child;
      clearInheritedOnBuild = false;
      out.accept(line(" ---> " + image.shortId()));
    }

    /**
     * {@code --cache-from}: an image (present here) whose history starts with the parent's and
     * whose next entry is this step (same created-by: the instruction, its args and, for COPY/ADD,
     * the sources' digest) gives this step's layer without running it, as dockerd's classic
     * builder matches cache-from images. Empty when none matches; the inner optional is the
     * layer (empty for a step that made none).
     */
    private Optional<Optional<Image.ImageLayer>> cacheFromLayer(Image parent, String createdBy) {
      List<ImageConfig.History> ph = parent.config().history() == null ? List.of() : parent.config().history();
      for (Image t : cacheFromImages()) {
        List<ImageConfig.History> th = t.config().history() == null ? List.of() : t.config().history();
        if (th.size() <= ph.size() || t.layers().size() < parent.layers().size()) {
          continue;
        }
        boolean prefix = true;
        for (int i = 0; i < ph.size() && prefix; i++) {
          prefix = java.util.Objects.equals(ph.get(i).createdBy(), th.get(i).createdBy())
              && Boolean.TRUE.equals(ph.get(i).emptyLayer()) == Boolean.TRUE.equals(th.get(i).emptyLayer());
        }
        for (int i = 0; i < parent.layers().size() && prefix; i++) {
          prefix = parent.layers().get(i).diffId().equals(t.layers().get(i).diffId());
        }
        ImageConfig.History next = th.get(ph.size());
        if (!prefix || !createdBy.equals(next.createdBy())) {
          continue;
        }
        if (Boolean.TRUE.equals(next.emptyLayer())) {
          return Optional.of(Optional.empty());
        }
        if (t.layers().size() > parent.layers().size()) {
          return Optional.of(Optional.of(t.layers().get(parent.layers().size())));
        }
      }
      return Optional.empty();
    }

    private void run(Instruction.Run r) {
      List<String> unsupported = r.flags().keySet().stream().filter(f -> !f.equals("network")).map(f -> "--" + f)
          .toList();
      if (!unsupported.isEmpty()) {
        throw new BuildException("RUN " + String.join(", ", unsupported) + " is not supported by this builder");
      }
      String network = runNetwork(r);
      ConfigSteps.Config c = config();
      List<String> argv = runArgv(r, c);
      Map<String, String> env = c.envMap();
      Map<String, String> visible = new TreeMap<>();
      args.forEach((k, v) -> {
        if (!env.containsKey(k)) {
          visible.put(k, v);
        }
      });
      req.buildArgs().forEach((k, v) -> {
        if (PROXY_ARGS.contains(k) && v != null && !env.containsKey(k)) {
          visible.put(k, v);
        }
      });
      String joined = String.join(" ", argv);
      String keyText = network.equals(req.networkMode()) ? joined : "--network=" + network + " " + joined;
      String text = visible.isEmpty() ? keyText : "|" + visible.size() + " " + visible.entrySet().stream()
          .map(e -> e.getKey() + "=" + e.getValue()).reduce((a, b) -> a + " " + b).orElse("") + " " + keyText;
      Image parent = image;
      commit(Optional.of(() -> {
        List<String> extraEnv = visible.entrySet().stream().map(e -> e.getKey() + "=" + e.getValue()).toList();
        StepContainers.RunOutcome outcome = parts.containers().run(parent, argv, extraEnv, runSettings(network),
            id -> out.accept(line(" ---> Running in " + id)),
            text1 -> out.accept(new BuildEvent.Stream(text1)), internal, !req.removeIntermediate(),
            !req.removeIntermediate() && !req.forceRemove(), joined, removed -> {
              if (req.removeIntermediate()) {
                out.accept(line("Removing intermediate container " + removed));
              }
            });
        return outcome.layer();
      }), c, text, BuildCache.Kind.REGULAR, visible, "", null);
    }

    private List<String> runArgv(Instruction.Run r, ConfigSteps.Config c) {
      if (r.command() instanceof Command.Shell s && !r.heredocs().isEmpty()) {
        String script = s.script().strip();
        if (r.heredocs().size() == 1 && script.matches("<<-?[\"']?" + java.util.regex.Pattern.quote(
            r.heredocs().getFirst().name()) + "[\"']?")) {
          return ConfigSteps.command(new Command.Shell(r.heredocs().getFirst().content()), c);
        }
        StringBuilder b = new StringBuilder(s.script()).append('\n');
        for (Heredoc h : r.heredocs()) {
          b.append(h.content());
          if (!h.content().endsWith("\n") && !h.content().isEmpty()) {
            b.append('\n');
          }
          b.append(h.name()).append('\n');
        }
        return ConfigSteps.command(new Command.Shell(b.toString()), c);
      }
      return ConfigSteps.command(r.command(), c);
    }

    private StepContainers.RunSettings runSettings(String network) {
      String isolation = req.isolation().equals("vm") ? "vm" : "";
      return new StepContainers.RunSettings(network, req.resources(), isolation, req.extraHosts(), req.shmSize());
    }

    /** BuildKit's {@code RUN --network=default|none|host}: this step's network instead of the build's. */
    private String runNetwork(Instruction.Run r) {
      List<String> values = r.flags().getOrDefault("network", List.of());
      if (values.isEmpty()) {
        return req.networkMode();
      }
      String n = values.getLast();
      return switch (n) {
        case "default" -> req.networkMode();
        case "none", "host" -> n;
        default -> throw new BuildException("unsupported network mode for RUN --network: " + n
            + " (use default, none or host)");
      };
    }

    private void workdir(Instruction.Workdir w) {
      ConfigSteps.Config c = config();
      String text = ConfigSteps.apply(c, w, expander, vars(c), cmdSet);
      String dir = c.workingDir;
      Image parent = image;
      commit(Optional.of(() -> parts.containers().writeLayer(parent, text, rootfs ->
          new CopyFiles(rootfs, CopyFiles.Owner.ROOT, OptionalInt.empty(), p -> false).makeDirs(dir))),
          c, text, BuildCache.Kind.INTERNAL, Map.of(), "", null);
    }

    private void copy(List<String> rawSources, String rawDest, Optional<String> from, Optional<String> rawChown,
        Optional<String> rawChmod, List<Heredoc> heredocs, boolean add, Optional<String> checksum, String original,
        String what) {
      ConfigSteps.Config c = config();
      Map<String, String> v = vars(c);
      List<String> sources = rawSources.stream().map(s -> expander.expand(s, v)).toList();
      String dest = expander.expand(rawDest, v);
      String chown = rawChown.map(s -> expander.expand(s, v)).orElse("");
      OptionalInt chmod = rawChmod.map(s -> expander.expand(s, v)).map(BuildRun::parseChmod)
          .map(OptionalInt::of).orElse(OptionalInt.empty());
      String absDest = absoluteDest(dest, c.workingDir);
      int count = sources.size() + heredocs.size();
      if (count == 0) {
        throw new BuildException(what + " failed: no source files were specified");
      }
      CopySources.Prepared prepared = new CopySources(parts, req, excluded, expander, cancel)
          .prepare(what, sources, from.map(f -> expander.expand(f, v)), heredocs, v, add, checksum,
              ref -> BuildPlan.stageReference(dockerfile.stages(), ref, stage.index(), true).map(i -> awaitStage(i)),
              !chown.isEmpty());
      if (prepared.count() > 1 && !absDest.endsWith("/")) {
        throw new BuildException("When using " + what + " with more than one source file, the destination must be a "
            + "directory and end with a /");
      }
      String text = what + " " + (chown.isEmpty() ? "" : "--chown=" + chown + " ")
          + chmod.stream().mapToObj(m -> "--chmod=" + Integer.toOctalString(m) + " ").findFirst().orElse("")
          + prepared.description() + " in " + absDest;
      Image parent = image;
      try {
        commit(Optional.of(() -> parts.containers().writeLayer(parent, text, rootfs ->
            prepared.writeInto(rootfs, absDest, Owners.resolve(chown, rootfs), chmod))), c, text,
            BuildCache.Kind.SOURCE, Map.of(), prepared.digest(), null);
      } finally {
        prepared.close();
      }
    }
  }

  /** A COPY destination: relative ones are under the WORKDIR; a trailing "/" (or "/." ) kept. */
  static String absoluteDest(String dest, String workdir) {
    boolean dir = dest.endsWith("/") || dest.endsWith("/.") || dest.equals(".");
    String abs = dest.startsWith("/") ? ConfigSteps.clean(dest)
        : ConfigSteps.workdir(workdir, dest);
    return dir && !abs.endsWith("/") ? abs + "/" : abs;
  }

  static int parseChmod(String s) {
    if (!s.matches("[0-7]{3,4}")) {
      throw new BuildException("invalid chmod parameter '" + s + "': use octal digits such as 0755");
    }
    return Integer.parseInt(s, 8);
  }

  private void checkPlatform(String platform) {
    dev.berth.engine.image.Platform host = dev.berth.engine.image.Platform.host();
    dev.berth.engine.image.Platform wanted = dev.berth.engine.image.Platform.parse(platform);
    if (!host.accepts(wanted) && !wanted.accepts(host)) {
      throw new BerthException.InvalidArgument("platform " + platform + " cannot be built here: this host builds "
          + host + " only");
    }
  }

  /** The final image of stage {@code index}, once it is built. */
  Image awaitStage(int index) {
    CompletableFuture<Image> f = stageResults.get(index);
    if (f == null) {
      throw new BuildException("stage " + index + " is not part of this build");
    }
    try {
      return f.join();
    } catch (java.util.concurrent.CompletionException e) {
      throw new StageFailedElsewhere();
    }
  }

  /** What a step does when not cached: its layer, if it made one. */
  @FunctionalInterface
  interface LayerMaker {
    Optional<Image.ImageLayer> make();
  }
}
