package dev.berth.it.fuzz;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.function.Function;

/**
 * A value generator over a seeded {@link Random}: the same seed gives the same cases, so a failure
 * that prints its case and the seed is reproducible. It replaces jqwik in {@code ApiFuzzIT}:
 * jqwik's author asks AI agents not to use jqwik, and we respect that; our needs are plain seeded
 * generation without shrinking, which this covers. Several generators combine in a lambda
 * ({@code r -> new Case(a.next(r), b.next(r))}); arguments are drawn left to right.
 */
@FunctionalInterface
public interface Gen<T> {
  T next(Random r);

  /** One of the values, each as likely. */
  @SafeVarargs
  static <T> Gen<T> of(T... values) {
    return of(List.of(values));
  }

  /** One of the values, each as likely. */
  static <T> Gen<T> of(List<T> values) {
    if (values.isEmpty()) {
      throw new IllegalArgumentException("Gen.of needs at least one value");
    }
    return r -> values.get(r.nextInt(values.size()));
  }

  /** The value of one of the generators, each as likely. */
  @SafeVarargs
  static <T> Gen<T> oneOf(Gen<? extends T>... gens) {
    List<Gen<? extends T>> all = List.of(gens);
    return r -> all.get(r.nextInt(all.size())).next(r);
  }

  /** Always this value (which may be null). */
  static <T> Gen<T> just(T value) {
    return r -> value;
  }

  /** An int from min to max, both included. */
  static Gen<Integer> ints(int min, int max) {
    return r -> r.nextInt(min, max + 1);
  }

  /** A list of min to max (both included) values of the generator. */
  static <T> Gen<List<T>> listOf(Gen<T> element, int min, int max) {
    return r -> {
      int size = r.nextInt(min, max + 1);
      List<T> list = new ArrayList<>(size);
      for (int i = 0; i < size; i++) {
        list.add(element.next(r));
      }
      return list;
    };
  }

  default <U> Gen<U> map(Function<? super T, ? extends U> f) {
    return r -> f.apply(next(r));
  }

  default <U> Gen<U> flatMap(Function<? super T, Gen<? extends U>> f) {
    return r -> f.apply(next(r)).next(r);
  }
}
