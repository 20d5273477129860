package dev.berth.cli.command;

import java.util.concurrent.Callable;
import picocli.AutoComplete;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/** {@code berth completion bash}: a completion script generated from the command tree. */
@Command(name = "completion", mixinStandardHelpOptions = true,
    description = {"Generate the autocompletion script for the specified shell.", "",
        "Load it in the current shell:   source <(berth completion bash)",
        "Load it for every new shell:    berth completion bash > /etc/bash_completion.d/berth"})
public final class CompletionCommand implements Callable<Integer> {
  @Parameters(paramLabel = "SHELL", description = "The shell: bash (zsh can load it after 'autoload bashcompinit; bashcompinit')")
  String shell;

  @Spec
  CommandSpec spec;

  @Override
  public Integer call() {
    if (!shell.equals("bash") && !shell.equals("zsh")) {
      throw new IllegalArgumentException("unsupported shell \"" + shell + "\": use bash (zsh loads the bash script with bashcompinit)");
    }
    CommandLine root = spec.root().commandLine();
    spec.commandLine().getOut().print(AutoComplete.bash("berth", root));
    spec.commandLine().getOut().flush();
    return 0;
  }
}
