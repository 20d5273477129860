package dev.berth.engine.build.dockerfile;

/**
 * A here-document of RUN, COPY or ADD ({@code <<EOF} ... {@code EOF}), as BuildKit reads them.
 *
 * @param name the delimiter word without quotes ({@code EOF} for {@code <<"EOF"}); for COPY/ADD
 *     it is also the file name the content gets at the destination
 * @param content the lines between the instruction and the delimiter, each with its line end;
 *     with {@code chompTabs} their leading tabs are already removed
 * @param expand true when no part of the delimiter was quoted: the content is then expanded
 *     with the build's variables (COPY/ADD; for RUN the shell does it)
 * @param chompTabs written {@code <<-EOF}: leading tabs of the lines and the delimiter dropped
 */
public record Heredoc(String name, String content, boolean expand, boolean chompTabs) {}
