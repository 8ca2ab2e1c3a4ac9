package com.wechathub.wechat;

import com.wechathub.campaign.Campaign;
import com.wechathub.campaign.Menu;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentSkipListMap;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * The accounts the hub serves, keyed by the {account} path segment of /wechat/{account}, and
 * WeChat's API. Reply texts are lists rather than maps: Spring's binder would silently strip the
 * underscores out of menu keys such as V1001_TODAY_MUSIC if they were map keys.
 *
 * <p>Nothing under {@code wechat.*} is ignored: a key the hub does not know (a misspelt
 * {@code pic-url}, a reply kind that does not exist) stops the binding, and a reply that is not
 * exactly one kind stops {@link WechatConfigurationCheck}; either way the hub does not start, and
 * {@code --validate-routes} fails, naming the key, rather than a follower's click failing later.
 *
 * @param accounts the accounts served, each at /wechat/&lt;id&gt; with its keys {@code wechat.accounts.<id>.token},
 *                 app-id, encoding-aes-key, app-secret, mode, its replies, menu and campaigns (docs/wechat.md). A
 *                 validated edit of the configuration file applies while the hub runs (hub.accounts.reload)
 * @param api      WeChat's API, for the accounts with an app-secret
 */
@ConfigurationProperties(prefix = "wechat", ignoreUnknownFields = false)
public record WechatProperties(@DefaultValue Map<String, Account> accounts, @DefaultValue Api api) {

    /**
     * The accounts are live: a validated edit of the configuration file replaces them while the hub
     * runs (com.wechathub.accounts). Each {@link Account} is immutable and is swapped whole, and a
     * push resolves its account once, so no push sees half an old and half a new account.
     */
    public WechatProperties {
        accounts = new ConcurrentSkipListMap<>(accounts);
    }

    /** Makes the accounts those of {@code next}: added, changed and removed ones; answers the ids that changed. */
    public List<String> replaceAccounts(Map<String, Account> next) {
        List<String> changed = new ArrayList<>();
        next.forEach((id, account) -> {
            if (!account.equals(accounts.put(id, account))) {
                changed.add(id);
            }
        });
        for (String id : List.copyOf(accounts.keySet())) {
            if (!next.containsKey(id)) {
                accounts.remove(id);
                changed.add(id);
            }
        }
        return changed;
    }

    /** What the hub cannot use in the accounts' settings, one line each (checked by {@link WechatConfigurationCheck}). */
    public List<String> problems() {
        List<String> problems = new ArrayList<>();
        accounts.forEach((id, account) -> problems.addAll(account.problems("wechat.accounts." + id)));
        return problems;
    }

    public Optional<Account> account(String id) {
        return Optional.ofNullable(id).map(accounts::get);
    }

    /**
     * WeChat's API (docs/wechat.md), called through routes/wechat-api.camel.yaml.
     *
     * @param baseUrl         WeChat's API: https://api.weixin.qq.com in prod; application.yaml's default profile
     *                        points it at the built-in stand-in (/stand-in/wechat)
     * @param connectTimeout  milliseconds to open a connection to WeChat's API
     * @param responseTimeout milliseconds a call to WeChat's API waits for the answer
     * @param qrcodeBaseUrl   where a scene QR code's image is fetched (showqrcode, docs/wechat.md, "The menu and
     *                        scene-QR campaigns"): https://mp.weixin.qq.com in prod
     */
    public record Api(
            @DefaultValue("https://api.weixin.qq.com") String baseUrl,
            @DefaultValue("2000") int connectTimeout,
            @DefaultValue("5000") int responseTimeout,
            @DefaultValue("https://mp.weixin.qq.com") String qrcodeBaseUrl) {
    }

    // WeChat's EncodingAESKey: 43 characters of Base64 (an AES-256 key once "=" is appended).
    private static final java.util.regex.Pattern AES_KEY = java.util.regex.Pattern.compile("[A-Za-z0-9+/]{43}");

    /**
     * One account, {@code wechat.accounts.<id>}. The accounts are a map, which the configuration
     * processor does not descend into: each component's description, as IDEs and
     * docs/configuration.md show it, is in META-INF/additional-spring-configuration-metadata.json
     * ({@code wechat.accounts.*.token} and the rest); a component added here needs its entry there
     * (ConfigurationDocsTests fails without it).
     */
    public record Account(
            String token,
            String appId,
            String encodingAesKey,
            String appSecret,
            String welcome,
            News welcomeNews,
            @DefaultValue List<MenuReply> menuReplies,
            @DefaultValue List<SceneReply> sceneReplies,
            @DefaultValue List<Campaign> campaigns,
            Menu menu,
            String mode,
            String previousToken,
            String previousEncodingAesKey) {

        /** The token, then the previous one during a rotation. */
        public List<String> tokens() {
            return hasText(previousToken) ? List.of(token, previousToken) : List.of(token);
        }

        /** The AES key, then the previous one during a rotation. */
        public List<String> encodingAesKeys() {
            return hasText(previousEncodingAesKey) ? List.of(encodingAesKey, previousEncodingAesKey) : List.of(encodingAesKey);
        }

        private static boolean hasText(String value) {
            return value != null && !value.isBlank();
        }

        public boolean supportsSafeMode() {
            return appId != null && !appId.isBlank() && encodingAesKey != null && !encodingAesKey.isBlank();
        }

        /** The mode pushes are held to; an invalid value is one of {@link #problems}, and then treated as safe. */
        public Mode pushMode() {
            if (mode == null || mode.isBlank()) {
                return supportsSafeMode() ? Mode.COMPATIBLE : Mode.PLAIN;
            }
            return Mode.of(mode).orElse(Mode.SAFE);
        }

        /** An app-secret enables WeChat's API for the account: follower details, late replies. */
        public boolean callsApi() {
            return appSecret != null && !appSecret.isBlank();
        }

        /** The CLICK reply for the key: menu-replies first, then a reply on the menu's button. */
        public Optional<MenuReply> menuReply(String key) {
            return menuReplies.stream().filter(r -> r.key().equals(key)).findFirst()
                    .or(() -> menu == null ? Optional.empty() : menu.reply(key));
        }

        /** The campaign whose QR code carries this scene (docs/wechat.md, "The menu and scene-QR campaigns"). */
        public Optional<Campaign> campaign(String scene) {
            return campaigns.stream().filter(c -> c.scene() != null && c.scene().equals(scene)).findFirst();
        }

        Optional<SceneReply> scene(String scene) {
            return sceneReplies.stream().filter(r -> r.scene() != null && r.scene().equals(scene)).findFirst();
        }

        List<String> problems(String path) {
            List<String> problems = new ArrayList<>();
            if (encodingAesKey != null && !encodingAesKey.isBlank() && !AES_KEY.matcher(encodingAesKey).matches()) {
                problems.add(path + ".encoding-aes-key: must be the 43 letters, digits, '+' or '/' that WeChat's console shows; it has "
                        + encodingAesKey.length() + " characters");
            }
            if (hasText(previousEncodingAesKey) && !AES_KEY.matcher(previousEncodingAesKey).matches()) {
                problems.add(path + ".previous-encoding-aes-key: must be 43 letters, digits, '+' or '/' like encoding-aes-key; it has "
                        + previousEncodingAesKey.length() + " characters");
            }
            if (hasText(previousEncodingAesKey) && !hasText(encodingAesKey)) {
                problems.add(path + ".previous-encoding-aes-key is set but encoding-aes-key is not: rotate from one key to another");
            }
            if (mode != null && !mode.isBlank()) {
                Optional<Mode> known = Mode.of(mode);
                if (known.isEmpty()) {
                    problems.add(path + ".mode: '" + mode + "' is not one of plain, compatible, safe");
                } else if (known.get() != Mode.PLAIN && !supportsSafeMode()) {
                    problems.add(path + ".mode: " + known.get().key() + " needs app-id and encoding-aes-key");
                }
            }
            if (callsApi() && (appId == null || appId.isBlank())) {
                problems.add(path + ".app-secret is set but app-id is not: WeChat's API needs both");
            }
            if (welcome != null && !welcome.isBlank() && welcomeNews != null) {
                problems.add(path + ": give either welcome or welcome-news, not both");
            }
            if (welcomeNews != null) {
                problems.addAll(welcomeNews.problems(path + ".welcome-news"));
            }
            Set<String> keys = new HashSet<>();
            for (int i = 0; i < menuReplies.size(); i++) {
                MenuReply reply = menuReplies.get(i);
                String at = path + ".menu-replies[" + i + "]";
                problems.addAll(reply.problems(at));
                if (reply.key() != null && !keys.add(reply.key())) {
                    problems.add(at + ".key: '" + reply.key() + "' has another entry before this one");
                }
            }
            Set<String> scenes = new HashSet<>();
            for (int i = 0; i < campaigns.size(); i++) {
                Campaign campaign = campaigns.get(i);
                String at = path + ".campaigns[" + i + "]";
                problems.addAll(campaign.problems(at));
                if (campaign.scene() != null && !scenes.add(campaign.scene())) {
                    problems.add(at + ".scene: '" + campaign.scene() + "' has another campaign before this one");
                }
            }
            if (menu != null) {
                problems.addAll(menu.problems(path + ".menu"));
            }
            return problems;
        }

        @Override
        public String toString() {
            return "Account[appId=" + appId + "]"; // token, key and secret are secrets: never logged
        }
    }

    /** WeChat's three message encryption modes (消息加解密方式). */
    public enum Mode {
        /** 明文模式: pushes are signed, not encrypted. */
        PLAIN,
        /** 兼容模式: a push may be plain or carry Encrypt; encrypt_type=aes says which is checked. */
        COMPATIBLE,
        /** 安全模式: only encrypted pushes with a valid msg_signature; a plain push cannot downgrade it. */
        SAFE;

        public String key() {
            return name().toLowerCase(java.util.Locale.ROOT);
        }

        static Optional<Mode> of(String value) {
            for (Mode mode : values()) {
                if (mode.key().equals(value.trim().toLowerCase(java.util.Locale.ROOT))) {
                    return Optional.of(mode);
                }
            }
            return Optional.empty();
        }
    }

    /**
     * What the hub answers when a follower clicks the menu item with this key: exactly one of a
     * text, a news article, an image, a hand-over to the customer-service agents, or a reply the
     * CRM computes ({@code crm: /path/{openid}/{key}}, docs/wechat.md).
     */
    public record MenuReply(String key, String text, News news, Image image, Boolean transferToAgent, String crm) {

        /** The kinds, as an operator writes them. */
        public static final List<String> KINDS = List.of("text", "news", "image", "transfer-to-agent", "crm");

        public boolean transfers() {
            return Boolean.TRUE.equals(transferToAgent);
        }

        List<String> kinds() {
            List<String> kinds = new ArrayList<>();
            if (text != null) {
                kinds.add("text");
            }
            if (news != null) {
                kinds.add("news");
            }
            if (image != null) {
                kinds.add("image");
            }
            if (transfers()) {
                kinds.add("transfer-to-agent");
            }
            if (crm != null) {
                kinds.add("crm");
            }
            return kinds;
        }

        public List<String> problems(String at) {
            List<String> problems = new ArrayList<>();
            String which = at + (key == null ? "" : " (key " + key + ")");
            if (key == null || key.isBlank()) {
                problems.add(at + ".key is missing: the menu item's key (EventKey)");
            }
            List<String> kinds = kinds();
            if (kinds.size() != 1) {
                problems.add(which + ": give exactly one of " + String.join(", ", KINDS) + "; "
                        + (kinds.isEmpty() ? "it has none" : "it has " + String.join(" and ", kinds)));
            }
            if (Boolean.FALSE.equals(transferToAgent) && kinds.isEmpty()) {
                problems.add(at + ".transfer-to-agent: only 'true' means something; remove it or give another reply");
            }
            if (news != null) {
                problems.addAll(news.problems(at + ".news"));
            }
            if (image != null && (image.mediaId() == null || image.mediaId().isBlank())) {
                problems.add(at + ".image.media-id is missing");
            }
            if (crm != null && !crm.startsWith("/")) {
                problems.add(at + ".crm: '" + crm + "' must be a path on hub.crm.base-url starting with '/', e.g. /replies/{openid}/{key}");
            }
            return problems;
        }
    }

    /** One news article (WeChat shows one): title, description, picture and link. */
    public record News(String title, String description, String picUrl, String url) {

        /** WeChat shows an article without a title or a link as a broken card: both are required. */
        public List<String> problems(String at) {
            List<String> problems = new ArrayList<>();
            if (title == null || title.isBlank()) {
                problems.add(at + ".title is missing");
            }
            if (url == null || url.isBlank()) {
                problems.add(at + ".url is missing: the page the article opens");
            }
            return problems;
        }
    }

    /** An image already uploaded to WeChat (its media id). */
    public record Image(String mediaId) {
    }

    /** Texts for a scene QR code: on a follow through it, and on a scan by a follower. */
    public record SceneReply(String scene, String welcome, String scan) {
    }
}
