package com.wechathub.wechat;

import java.lang.reflect.ParameterizedType;
import java.lang.reflect.RecordComponent;
import java.lang.reflect.Type;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
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
 * Refuses to start the hub with account settings it would not understand (docs/wechat.md): a key it
 * does not know anywhere under {@code wechat.*} (Spring's own check misses one nested in a list
 * entry after the first, e.g. {@code menu-replies[1].news.picture}), a menu reply with no kind
 * or two, news without a title, an image without a media id, a crm: that is not a path, welcome
 * and welcome-news together, an app-secret without an app-id. Each problem names its key.
 *
 * <p>Outside the embedded default profile (docs/security.md) it also refuses credentials anybody can read:
 * a blank token (any signature made with it is accepted), and a token, AES key or app-secret that
 * the shipped files publish — the default profile's example account, the README's, WeChat's own
 * samples. The problem names the key, never the value.
 */
@Component
public class WechatConfigurationCheck {

    private static final Logger log = LoggerFactory.getLogger(WechatConfigurationCheck.class);

    private static final ConfigurationPropertyName ROOT = ConfigurationPropertyName.of("wechat");

    /** The example account of application.yaml's default profile and the README, and WeChat's samples (WxJava, Tencent). */
    static final Set<String> PUBLISHED_TOKENS = Set.of("demo-token", "spamtest", "pamtest");
    static final Set<String> PUBLISHED_AES_KEYS = Set.of("abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG");
    static final Set<String> PUBLISHED_APP_SECRETS = Set.of("stand-in-secret");

    public WechatConfigurationCheck(WechatProperties properties, Environment environment) {
        List<String> problems = problems(properties, environment);
        if (!problems.isEmpty()) {
            throw new Refused(problems);
        }
        if (properties.accounts().isEmpty()) {
            log.warn("No WeChat account is configured (wechat.accounts): every push to /wechat/{account} is answered 404."
                    + " Give one, e.g. WECHAT_ACCOUNTS_SHOP_TOKEN for /wechat/shop (README.md, \"Deploying\")");
        }
    }

    /** The embedded default profile: no profile active, or only "default". Its example account is meant to be public. */
    static boolean embedded(Environment environment) {
        String[] active = environment.getActiveProfiles();
        String[] profiles = active.length > 0 ? active : environment.getDefaultProfiles();
        return Arrays.stream(profiles).allMatch("default"::equals);
    }

    /** A blank token, or a token, AES key or app-secret that anybody can read in the shipped files; named, never shown. */
    static List<String> credentialProblems(WechatProperties properties) {
        List<String> problems = new ArrayList<>();
        properties.accounts().forEach((id, account) -> {
            String path = "wechat.accounts." + id;
            if (account.token() == null || account.token().isBlank()) {
                problems.add(path + ".token: blank; set the token given for this account in WeChat's console");
            } else if (PUBLISHED_TOKENS.contains(account.token().trim())) {
                problems.add(path + ".token: is the published sample value; set your own");
            }
            if (account.encodingAesKey() != null && PUBLISHED_AES_KEYS.contains(account.encodingAesKey().trim())) {
                problems.add(path + ".encoding-aes-key: is the published sample value; set your own");
            }
            if (account.previousToken() != null && PUBLISHED_TOKENS.contains(account.previousToken().trim())) {
                problems.add(path + ".previous-token: is the published sample value; remove it");
            }
            if (account.previousEncodingAesKey() != null && PUBLISHED_AES_KEYS.contains(account.previousEncodingAesKey().trim())) {
                problems.add(path + ".previous-encoding-aes-key: is the published sample value; remove it");
            }
            if (account.appSecret() != null && PUBLISHED_APP_SECRETS.contains(account.appSecret().trim())) {
                problems.add(path + ".app-secret: is the published sample value; set the account's own AppSecret");
            }
        });
        return problems;
    }

    /** Everything the hub cannot use in these settings, one line each; also what a live edit of the accounts is held to. */
    public static List<String> problems(WechatProperties properties, Environment environment) {
        List<String> problems = new ArrayList<>(unknownKeys(environment));
        problems.addAll(properties.problems());
        if (!embedded(environment)) {
            problems.addAll(credentialProblems(properties));
        }
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
