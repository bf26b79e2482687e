package io.onefed.upgrade.simulator;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Optional;

/** The state files shared with the simulated commands: one value on the first line, written atomically. */
final class SimFiles {

    private SimFiles() {
    }

    static Optional<String> read(Path file) {
        try {
            String text = Files.readString(file, StandardCharsets.UTF_8);
            int nl = text.indexOf('\n');
            return Optional.of((nl < 0 ? text : text.substring(0, nl)).strip());
        } catch (java.nio.file.NoSuchFileException e) {
            return Optional.empty();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read simulator state " + file, e);
        }
    }

    static String read(Path file, String fallback) {
        return read(file).orElse(fallback);
    }

    static void write(Path file, String value) {
        writeText(file, value + "\n");
    }

    static void writeText(Path file, String text) {
        try {
            Files.createDirectories(file.getParent());
            Path tmp = file.resolveSibling(file.getFileName() + ".tmp." + ProcessHandle.current().pid()
                    + "." + Thread.currentThread().getId());
            Files.writeString(tmp, text, StandardCharsets.UTF_8);
            Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write simulator state " + file, e);
        }
    }

    static void delete(Path file) {
        try {
            Files.deleteIfExists(file);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot delete simulator state " + file, e);
        }
    }

    static void touch(Path file) {
        if (!Files.exists(file)) {
            writeText(file, "");
        }
    }
}
