package com.wechathub.accounts;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code --validate-config} checks the account settings without starting the hub: FILE:LINE, exit status. */
class ConfigValidationTests {

    static final String ACCOUNT = "wechat:\n  accounts:\n    shop:\n      token: shop-token\n      app-id: wx00000000000000shop\n";

    @TempDir Path folder;
    final ByteArrayOutputStream printed = new ByteArrayOutputStream();

    @Test
    void theShippedConfigurationIsValid() {
        assertThat(run()).isZero();
        assertThat(output()).contains("The configuration is valid").contains("application.yaml");
    }

    @Test
    void aValidFileExitsZero() throws IOException {
        assertThat(run(write(ACCOUNT + "      encoding-aes-key: ZYXWVUTSRQPONMLKJIHGFEDCBAzyxwvutsrqponmlk0\n"))).isZero();
        assertThat(output()).contains("[shop]");
    }

    @Test
    void aShortAesKeyIsNamedWithItsFileAndLine() throws IOException {
        Path file = write(ACCOUNT + "      encoding-aes-key: tooShort\n");

        assertThat(run(file)).isEqualTo(1);
        assertThat(output()).contains("wechat.accounts.shop.encoding-aes-key").contains(file + ":6")
                .doesNotContain("tooShort");
    }

    @Test
    void anUnknownKeyIsNamed() throws IOException {
        Path file = write(ACCOUNT + "      welcom: Hello\n");

        assertThat(run(file)).isEqualTo(1);
        assertThat(output()).contains("wechat.accounts.shop.welcom");
    }

    @Test
    void yamlThatDoesNotParseNamesTheLine() throws IOException {
        Path file = write(ACCOUNT + "      welcome: [unclosed\n");

        assertThat(run(file)).isEqualTo(1);
        assertThat(output()).containsPattern("line \\d+");
    }

    private Path write(String yaml) throws IOException {
        Path file = folder.resolve("application.yaml");
        Files.writeString(file, yaml);
        return file;
    }

    private int run(Path file) {
        return ConfigValidation.run(new String[] {"--validate-config", "--spring.config.location=file:" + file},
                new PrintStream(printed, true, StandardCharsets.UTF_8));
    }

    private int run() {
        return ConfigValidation.run(new String[] {"--validate-config"}, new PrintStream(printed, true, StandardCharsets.UTF_8));
    }

    private String output() {
        return printed.toString(StandardCharsets.UTF_8);
    }
}
