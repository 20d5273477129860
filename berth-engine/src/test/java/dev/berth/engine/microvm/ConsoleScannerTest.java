package dev.berth.engine.microvm;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class ConsoleScannerTest {
  @Test
  void aReportThatArrivesInPiecesCountsOnceItsLineIsWhole() {
    ConsoleScanner s = new ConsoleScanner();
    assertThat(s.feed("[    1.2] virtio_net ok\r\nberth-ex")).isEmpty();
    assertThat(s.feed("it 1")).isEmpty(); // may still become 137
    assertThat(s.feed("37\r")).isEmpty();
    assertThat(s.feed("\n[    2.9] reboot: Power down\r\n")).hasValue(137);
  }

  @Test
  void onlyALineOfItsOwnCounts() {
    ConsoleScanner s = new ConsoleScanner();
    assertThat(s.feed("berth-init: cannot mount x berth-exit 0\r\n")).isEmpty();
    assertThat(s.feed("x".repeat(200) + "berth-exit 0\r\n")).isEmpty(); // the end of a long line
    assertThat(s.feed("berth-exit 0\n")).hasValue(0);
  }

  @Test
  void theLastReportInAChunkWins() {
    assertThat(new ConsoleScanner().feed("berth-exit 1\r\nberth-exit 2\r\n")).hasValue(2);
  }

  @Test
  void theControlLoopsReadyReportCountsOnlyAsAWholeLine() {
    ConsoleScanner s = new ConsoleScanner();
    s.feed("[    0.9] Run /init as init process\r\nberth-rea");
    assertThat(s.ready()).isFalse();
    s.feed("dy\r\n");
    assertThat(s.ready()).isTrue();
    ConsoleScanner inALine = new ConsoleScanner();
    inALine.feed("echo berth-ready\r\nberth-ready-not\r\n");
    assertThat(inALine.ready()).isFalse();
    assertThat(ConsoleScanner.hasReadyLine("x\r\nberth-ready\r\nberth-exit 0\r\n")).isTrue();
    assertThat(ConsoleScanner.hasReadyLine("x berth-ready\r\n")).isFalse();
  }
}
