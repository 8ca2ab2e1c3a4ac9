package com.wechathub;

import static org.assertj.core.api.Assertions.assertThat;

import com.wechathub.wechat.WechatProperties;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The configuration is typed and self-describing: every hub.* and wechat.* key is a property of a
 * {@code @ConfigurationProperties} record, described in the metadata the configuration processor
 * builds from its javadoc, and docs/configuration.md is that metadata rendered — with every key
 * application.yaml sets. {@code -Dconfig.docs.write=true} rewrites the page instead of comparing.
 */
class ConfigurationDocsTests {

    static final String WRITE = "config.docs.write";

    final ConfigurationReference reference = ConfigurationReference.load();

    @Test
    void docsConfigurationMdIsTheMetadataRendered() throws IOException {
        String rendered = reference.render();
        if (Boolean.getBoolean(WRITE)) {
            Files.writeString(ConfigurationReference.DOC, rendered, StandardCharsets.UTF_8);
        }
        String written = Files.exists(ConfigurationReference.DOC) ? Files.readString(ConfigurationReference.DOC, StandardCharsets.UTF_8) : "";
        assertThat(written).as("docs/configuration.md is stale: run mvn test -Dtest=ConfigurationDocsTests -D" + WRITE + "=true"
                + " and commit it").isEqualTo(rendered);
    }

    @Test
    void everyHubAndWechatKeyOfApplicationYamlIsInTheMetadataWithADescription() {
        List<String> missing = new ArrayList<>();
        for (String key : reference.applicationKeys()) {
            if (ConfigurationReference.isHubKey(key)) {
                String description = reference.describing(key).map(ConfigurationReference.Property::description).orElse("");
                if (description == null || description.isBlank()) {
                    missing.add(key);
                }
            }
        }
        assertThat(missing).as("keys of application.yaml no @ConfigurationProperties record describes (javadoc @param of the"
                + " record component; an account's keys: META-INF/additional-spring-configuration-metadata.json)").isEmpty();
    }

    @Test
    void everyKeyOfApplicationYamlHasADescriptionInTheDocs() {
        List<String> undescribed = reference.applicationKeys().stream().filter(key -> reference.descriptionOf(key).isBlank()).toList();
        assertThat(undescribed).as("keys of application.yaml with neither a description in their project's metadata nor a comment"
                + " beside them").isEmpty();
    }

    @Test
    void everyPropertyOfTheHubHasADescription() {
        List<String> bare = reference.properties.values().stream()
                .filter(property -> ConfigurationReference.isHubKey(property.name()))
                .filter(property -> property.description() == null || property.description().isBlank())
                .map(ConfigurationReference.Property::name).toList();
        assertThat(bare).as("hub properties without a description: give the record component a javadoc @param").isEmpty();
    }

    @Test
    void everyComponentOfAnAccountHasItsDescription() {
        List<String> missing = Arrays.stream(WechatProperties.Account.class.getRecordComponents())
                .map(component -> ConfigurationReference.ACCOUNT_KEY + kebab(component.getName()))
                .filter(key -> !reference.properties.containsKey(key)).toList();
        assertThat(missing).as("in META-INF/additional-spring-configuration-metadata.json").isEmpty();
    }

    /**
     * Route files may keep {{hub.…}} placeholders (and application.yaml ${hub.…} ones), but each
     * names a typed, described property.
     */
    @Test
    void everyPlaceholderIsATypedProperty() throws IOException {
        Pattern placeholder = Pattern.compile("(?:\\{\\{(?:[a-z]+:)?|\\$\\{)((?:hub|wechat)\\.[a-z0-9.-]+)(?::[^}]*)?}");
        TreeSet<String> unknown = new TreeSet<>();
        try (Stream<Path> files = Files.list(Path.of("routes"))) {
            for (Path file : Stream.concat(files.filter(f -> f.toString().endsWith(".camel.yaml")), Stream.of(ConfigurationReference.APPLICATION_YAML)).toList()) {
                Matcher matcher = placeholder.matcher(Files.readString(file));
                while (matcher.find()) {
                    if (!reference.properties.containsKey(matcher.group(1))) {
                        unknown.add(file.getFileName() + ": " + matcher.group(1));
                    }
                }
            }
        }
        assertThat(unknown).isEmpty();
    }

    /** The hub reads its own keys through typed properties only: no @Value, no Environment look-up of hub.* or wechat.*. */
    @Test
    void noHubKeyIsReadByName() throws IOException {
        Pattern byName = Pattern.compile("@Value\\(\"\\$\\{(?:hub|wechat)\\.|getProperty\\(\"(?:hub|wechat)\\.");
        List<String> reads = new ArrayList<>();
        try (Stream<Path> sources = Files.walk(Path.of("src/main/java"))) {
            for (Path source : sources.filter(f -> f.toString().endsWith(".java")).toList()) {
                List<String> lines = Files.readAllLines(source);
                for (int i = 0; i < lines.size(); i++) {
                    if (byName.matcher(lines.get(i)).find()) {
                        reads.add(source + ":" + (i + 1) + ": " + lines.get(i).trim());
                    }
                }
            }
        }
        assertThat(reads).isEmpty();
    }

    static String kebab(String camel) {
        return camel.replaceAll("([a-z0-9])([A-Z])", "$1-$2").toLowerCase(java.util.Locale.ROOT);
    }
}
