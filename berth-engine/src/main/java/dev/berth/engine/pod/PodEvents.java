package dev.berth.engine.pod;

import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.function.Consumer;

/**
 * GetContainerEvents' subscribers: each gets its events in order on a virtual thread of its own,
 * from an unbounded queue, so a slow gRPC stream never blocks a pod operation.
 */
final class PodEvents implements AutoCloseable {
  private static final org.slf4j.Logger log = org.slf4j.LoggerFactory.getLogger(PodEvents.class);
  private final List<Subscriber> subscribers = new CopyOnWriteArrayList<>();

  private final class Subscriber implements AutoCloseable {
    private final BlockingQueue<Object> queue = new LinkedBlockingQueue<>();
    private static final Object END = new Object();
    private final Thread thread;

    Subscriber(Consumer<PodContainerEvent> listener) {
      thread = Thread.ofVirtual().name("pod-events").unstarted(() -> {
        try {
          while (true) {
            Object e = queue.take();
            if (e == END) {
              return;
            }
            listener.accept((PodContainerEvent) e);
          }
        } catch (InterruptedException stop) {
          Thread.currentThread().interrupt();
        } catch (RuntimeException e) {
          log.info("a pod event listener failed and was dropped: {}", e.toString());
        } finally {
          subscribers.remove(this);
        }
      });
    }

    @Override
    public void close() {
      subscribers.remove(this);
      queue.add(END);
    }
  }

  AutoCloseable subscribe(Consumer<PodContainerEvent> listener) {
    Subscriber s = new Subscriber(listener);
    subscribers.add(s);
    s.thread.start();
    return s;
  }

  boolean hasSubscribers() {
    return !subscribers.isEmpty();
  }

  void publish(PodContainerEvent e) {
    for (Subscriber s : subscribers) {
      s.queue.add(e);
    }
  }

  @Override
  public void close() {
    subscribers.forEach(Subscriber::close);
  }
}
