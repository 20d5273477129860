package dev.berth.engine.build.dockerfile;

import java.util.Optional;

/** One name of an ARG, with its raw default ({@code ARG name=default}) when it has one. */
public record ArgDecl(String name, Optional<String> defaultValue) {}
