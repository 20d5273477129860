package dev.berth.engine.build;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.berth.engine.BerthException;
import dev.berth.engine.build.dockerfile.Dockerfile;
import dev.berth.engine.build.dockerfile.Stage;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;

class BuildPlanTest {
  private static final Dockerfile FOUR_STAGES = Dockerfile.parse("""
      ARG BASE=busybox
      FROM $BASE AS deps
      RUN echo deps
      FROM busybox AS tools
      RUN echo tools
      FROM deps AS app
      COPY --from=tools /t /t
      RUN echo app
      FROM busybox AS docs
      COPY --from=1 /t /t
      """);

  @Test
  void theLastStageIsTheDefaultTargetAndPullsOnlyWhatItReads() {
    BuildPlan plan = BuildPlan.of(FOUR_STAGES, Optional.empty(), 0);

    assertThat(plan.target()).isEqualTo(3);
    assertThat(plan.stages()).extracting(Stage::index).containsExactly(1, 3);
    assertThat(plan.dependsOn().get(3)).isEqualTo(Set.of(1));
  }

  @Test
  void aTargetRunsItsStagesAndTheirDependenciesOnly() {
    BuildPlan plan = BuildPlan.of(FOUR_STAGES, Optional.of("app"), 0);

    assertThat(plan.stages()).extracting(Stage::index).containsExactly(0, 1, 2);
    assertThat(plan.dependsOn().get(2)).isEqualTo(Set.of(0, 1));
    assertThat(plan.dependsOn().get(0)).isEmpty();
    assertThat(plan.dependsOn().get(1)).isEmpty();
  }

  @Test
  void stepsAreNumberedOverTheGlobalArgsAndTheStagesThatRun() {
    BuildPlan plan = BuildPlan.of(FOUR_STAGES, Optional.of("app"), 1);

    // ARG, then deps (2), tools (2), app (3), then one label step
    assertThat(plan.totalSteps()).isEqualTo(1 + 2 + 2 + 3 + 1);
    assertThat(plan.stepNumbers().get(FOUR_STAGES.stages().get(2).from())).isEqualTo(6);
    assertThat(plan.stepNumbers()).doesNotContainKey(FOUR_STAGES.stages().get(3).from());
  }

  @Test
  void stageNamesAreCaseInsensitiveAndAnUnknownTargetIsRefused() {
    assertThat(BuildPlan.of(FOUR_STAGES, Optional.of("APP"), 0).target()).isEqualTo(2);
    assertThatThrownBy(() -> BuildPlan.of(FOUR_STAGES, Optional.of("nope"), 0))
        .isInstanceOf(BerthException.InvalidArgument.class).hasMessage("failed to reach build target nope in Dockerfile");
  }

  @Test
  void copyFromAStageNotBeforeThisOneIsRefused() {
    Dockerfile forward = Dockerfile.parse("FROM busybox\nCOPY --from=1 /a /a\nFROM busybox\n");

    assertThatThrownBy(() -> BuildPlan.of(forward, Optional.of("0"), 0)).isInstanceOf(BerthException.InvalidArgument.class);
    assertThatThrownBy(() -> BuildPlan.dependencies(forward.stages(), forward.stages().getFirst()))
        .hasMessageContaining("refers to current build stage or a later one");
  }

  @Test
  void anImageNamedLikeALaterStageIsAnImageNotThatStage() {
    Dockerfile df = Dockerfile.parse("FROM later\nRUN true\nFROM busybox AS later\n");

    assertThat(BuildPlan.dependencies(df.stages(), df.stages().getFirst())).isEmpty();
  }
}
