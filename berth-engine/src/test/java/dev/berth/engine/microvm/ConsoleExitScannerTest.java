package dev.berth.engine.microvm;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class ConsoleExitScannerTest {
  @Test
  void aReportThatArrivesInPiecesCountsOnceItsLineIsWhole() {
    ConsoleExitScanner s = new ConsoleExitScanner();
    assertThat(s.feed("[    1.2] virtio_net ok\r\nberth-ex")).isEmpty();
    assertThat(s.feed("it 1")).isEmpty(); // may still become 137
    assertThat(s.feed("37\r")).isEmpty();
    assertThat(s.feed("\n[    2.9] reboot: Power down\r\n")).hasValue(137);
  }

  @Test
  void onlyALineOfItsOwnCounts() {
    ConsoleExitScanner s = new ConsoleExitScanner();
    assertThat(s.feed("berth-init: cannot mount x berth-exit 0\r\n")).isEmpty();
    assertThat(s.feed("x".repeat(200) + "berth-exit 0\r\n")).isEmpty(); // the end of a long line
    assertThat(s.feed("berth-exit 0\n")).hasValue(0);
  }

  @Test
  void theLastReportInAChunkWins() {
    assertThat(new ConsoleExitScanner().feed("berth-exit 1\r\nberth-exit 2\r\n")).hasValue(2);
  }
}
