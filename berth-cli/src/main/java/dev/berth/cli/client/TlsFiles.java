package dev.berth.cli.client;

import java.nio.file.Path;

/**
 * The docker CLI's TLS settings: {@code --tls} (encrypt, trust any server) or {@code --tlsverify}
 * (the server's certificate must come from {@code ca} and name the host), and an optional
 * client certificate ({@code cert} and {@code key} both null: none).
 */
public record TlsFiles(boolean verify, Path ca, Path cert, Path key) {}
