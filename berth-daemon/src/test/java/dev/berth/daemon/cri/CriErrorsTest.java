package dev.berth.daemon.cri;

import static org.assertj.core.api.Assertions.assertThat;

import dev.berth.engine.BerthException;
import io.grpc.Status;
import org.junit.jupiter.api.Test;

class CriErrorsTest {
  @Test
  void engineErrorsBecomeTheStatusesKubeletReads() {
    assertThat(CriErrors.status(new BerthException.NotFound("no such pod sandbox: x")).getStatus().getCode())
        .isEqualTo(Status.Code.NOT_FOUND);
    assertThat(CriErrors.status(new BerthException.InvalidArgument("bad")).getStatus().getCode())
        .isEqualTo(Status.Code.INVALID_ARGUMENT);
    assertThat(CriErrors.status(new BerthException.Conflict("in use")).getStatus().getCode())
        .isEqualTo(Status.Code.FAILED_PRECONDITION);
    assertThat(CriErrors.status(new BerthException.Unavailable("down")).getStatus().getCode())
        .isEqualTo(Status.Code.UNAVAILABLE);
    assertThat(CriErrors.status(new BerthException.NotFound("no such pod sandbox: x")).getStatus().getDescription())
        .isEqualTo("no such pod sandbox: x");
  }

  @Test
  void anythingElseIsInternalAndSaysWhereTheDetailsAre() {
    Status s = CriErrors.status(new IllegalStateException("boom")).getStatus();
    assertThat(s.getCode()).isEqualTo(Status.Code.INTERNAL);
    assertThat(s.getDescription()).contains("boom").contains("daemon log");
  }
}
