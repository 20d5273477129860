package dev.berth.cli.command;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.Model.PositionalParamSpec;

/**
 * Options and parameters declared in code rather than by annotations, for the commands whose
 * start-up counts most ({@code berth} itself, {@code run}, {@code create}). For an annotated
 * command picocli builds the model by reflection: it parses every annotation, generates a proxy
 * class per annotation type and an accessor per field, which cost {@code berth run} about 60 ms,
 * more than all the rest it does in the JVM. Declared here, the model is plain objects. picocli
 * keeps each parsed value in its spec; {@link #read()} then hands each one to the command's field.
 */
public final class CodedOptions {
  private final CommandSpec spec;
  private final List<Runnable> readers = new ArrayList<>();

  public CodedOptions(CommandSpec spec) {
    this.spec = spec;
  }

  /** A {@code --help} that prints this command's usage, as mixinStandardHelpOptions' does. */
  public void usageHelp(String... names) {
    spec.addOption(OptionSpec.builder(names).usageHelp(true).description("Show this help message and exit.").build());
  }

  /** {@code -V}/{@code --version}, printing the command's version provider's lines. */
  public void versionHelp(String... names) {
    spec.addOption(OptionSpec.builder(names).versionHelp(true).description("Print version information and exit.").build());
  }

  /** A switch: present means true. */
  public void flag(String description, Consumer<Boolean> into, String... names) {
    OptionSpec option = OptionSpec.builder(names).type(boolean.class).arity("0").description(description).build();
    spec.addOption(option);
    readers.add(() -> {
      Boolean value = option.getValue();
      if (value != null) {
        into.accept(value);
      }
    });
  }

  /** An option with one value of {@code type}, converted by picocli (String, Integer, Long, Path…). */
  public <T> void value(Class<T> type, String label, String description, Consumer<T> into, String... names) {
    OptionSpec option = OptionSpec.builder(names).type(type).paramLabel(label).description(description).build();
    spec.addOption(option);
    readers.add(() -> {
      Object value = option.getValue();
      if (value != null) {
        into.accept(type.cast(value));
      }
    });
  }

  /** A repeatable option: each occurrence adds one value to {@code into}. */
  public <T> void list(Class<T> element, String label, String description, List<T> into, String... names) {
    OptionSpec option = OptionSpec.builder(names).type(List.class).auxiliaryTypes(element).paramLabel(label)
        .description(description).build();
    spec.addOption(option);
    readers.add(() -> {
      List<T> values = option.getValue();
      if (values != null) {
        into.addAll(values);
      }
    });
  }

  /** A required positional parameter at {@code index}. */
  public void positional(int index, String label, Consumer<String> into) {
    positional(index, label, "", into);
  }

  /** A required positional parameter at {@code index}, described in the usage help. */
  public void positional(int index, String label, String description, Consumer<String> into) {
    PositionalParamSpec param = PositionalParamSpec.builder().index(Integer.toString(index)).arity("1").required(true)
        .paramLabel(label).description(description).type(String.class).build();
    spec.addPositional(param);
    readers.add(() -> {
      String value = param.getValue();
      if (value != null) {
        into.accept(value);
      }
    });
  }

  /** All positional parameters from {@code index} on, none required. */
  public void rest(int index, String label, List<String> into) {
    PositionalParamSpec param = PositionalParamSpec.builder().index(index + "..*").arity("0..*").paramLabel(label)
        .type(List.class).auxiliaryTypes(String.class).build();
    spec.addPositional(param);
    readers.add(() -> {
      List<String> values = param.getValue();
      if (values != null) {
        into.addAll(values);
      }
    });
  }

  /** After picocli parsed the command line: every value into the command's fields. */
  public void read() {
    readers.forEach(Runnable::run);
  }
}
