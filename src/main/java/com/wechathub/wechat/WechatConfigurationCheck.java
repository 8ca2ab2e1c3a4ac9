package com.wechathub.wechat;

import java.lang.reflect.ParameterizedType;
import java.lang.reflect.RecordComponent;
import java.lang.reflect.Type;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.springframework.boot.context.properties.source.ConfigurationProperty;
import org.springframework.boot.context.properties.source.ConfigurationPropertyName;
import org.springframework.boot.context.properties.source.ConfigurationPropertyName.Form;
import org.springframework.boot.context.properties.source.ConfigurationPropertySource;
import org.springframework.boot.context.properties.source.ConfigurationPropertySources;
import org.springframework.boot.context.properties.source.IterableConfigurationPropertySource;
import org.springframework.core.env.Environment;
import org.springframework.core.env.SystemEnvironmentPropertySource;
import org.springframework.stereotype.Component;

/**
 * Refuses to start the hub with account settings it would not understand (SPEC §10.3): a key it
 * does not know anywhere under {@code wechat.*} (Spring's own check misses one nested in a list
 * entry after the first, e.g. {@code menu-replies[1].news.picture}), a menu reply with no kind
 * or two, news without a title, an image without a media id, a crm: that is not a path, welcome
 * and welcome-news together, an app-secret without an app-id. Each problem names its key.
 */
@Component
public class WechatConfigurationCheck {

    private static final ConfigurationPropertyName ROOT = ConfigurationPropertyName.of("wechat");

    public WechatConfigurationCheck(WechatProperties properties, Environment environment) {
        List<String> problems = problems(properties, environment);
        if (!problems.isEmpty()) {
            throw new Refused(problems);
        }
    }

    /** Everything the hub cannot use in these settings, one line each; also what a live edit of the accounts is held to. */
    public static List<String> problems(WechatProperties properties, Environment environment) {
        List<String> problems = new ArrayList<>(unknownKeys(environment));
        problems.addAll(properties.problems());
        return problems;
    }

    /**
     * Every wechat.* key set in the hub's own configuration (application.yaml, --key=value, system
     * properties) that WechatProperties has no place for. Environment variables are not checked
     * for unknown names: every program on the machine shares them, and a WECHAT_TIMESTAMP meant
     * for a test client or another WeChat tool must not stop the hub. Those that name a setting
     * the hub knows (WECHAT_ACCOUNTS_SHOP_TOKEN, …) bind as usual and are checked with the rest.
     */
    static List<String> unknownKeys(Environment environment) {
        List<String> unknown = new ArrayList<>();
        for (ConfigurationPropertySource source : ConfigurationPropertySources.get(environment)) {
            if (source.getUnderlyingSource() instanceof SystemEnvironmentPropertySource) {
                continue;
            }
            if (source instanceof IterableConfigurationPropertySource names) {
                names.stream().filter(ROOT::isAncestorOf).filter(name -> !known(name)).forEach(name -> {
                    ConfigurationProperty property = source.getConfigurationProperty(name);
                    String origin = property != null && property.getOrigin() != null ? " (" + property.getOrigin() + ")" : "";
                    String problem = name + ": not a setting the hub knows (misspelt, or in the wrong place?)" + origin;
                    if (!unknown.contains(problem)) {
                        unknown.add(problem);
                    }
                });
            }
        }
        return unknown;
    }

    /** Walks the name through WechatProperties' records, maps and lists. */
    static boolean known(ConfigurationPropertyName name) {
        Type type = WechatProperties.class;
        for (int i = 1; i < name.getNumberOfElements(); i++) {
            Class<?> raw = raw(type);
            if (Map.class.isAssignableFrom(raw) || List.class.isAssignableFrom(raw)) {
                if (List.class.isAssignableFrom(raw) && !name.isNumericIndex(i)) {
                    return false;
                }
                type = ((ParameterizedType) type).getActualTypeArguments()[Map.class.isAssignableFrom(raw) ? 1 : 0];
                continue;
            }
            if (!raw.isRecord()) {
                return false; // a value (text, number, flag) has nothing under it
            }
            String element = name.getElement(i, Form.UNIFORM);
            Optional<RecordComponent> component = List.of(raw.getRecordComponents()).stream()
                    .filter(c -> c.getName().toLowerCase(java.util.Locale.ROOT).equals(element)).findFirst();
            if (component.isEmpty()) {
                return false;
            }
            type = component.get().getGenericType();
        }
        return true;
    }

    private static Class<?> raw(Type type) {
        return type instanceof ParameterizedType parameterized ? (Class<?>) parameterized.getRawType() : (Class<?>) type;
    }

    /** The configuration's problems, one per line of the message. */
    public static final class Refused extends IllegalStateException {

        private final List<String> problems;

        Refused(List<String> problems) {
            super("The WeChat account settings are not valid:\n  " + String.join("\n  ", problems));
            this.problems = List.copyOf(problems);
        }

        public List<String> problems() {
            return problems;
        }
    }
}
