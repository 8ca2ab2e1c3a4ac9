package com.wechathub.campaign;

import com.wechathub.wechat.WechatProperties.MenuReply;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * The account's custom menu in WeChat's own shape (docs/wechat.md, "The menu and scene-QR campaigns"), {@code wechat.accounts.<id>.menu}:
 * {@code button} holds at most 3 buttons, each a button or a {@code name} with {@code sub_button}
 * (at most 5). YAML uses WeChat's names, so the menu reads like WeChat's documentation.
 */
public record Menu(@DefaultValue List<Button> button) {

    static final int BUTTONS = 3;
    static final int SUB_BUTTONS = 5;
    static final int TOP_NAME_BYTES = 16;
    static final int SUB_NAME_BYTES = 60;
    static final int KEY_BYTES = 128;
    static final int URL_BYTES = 1024;
    /** WeChat's button types; a click sends a CLICK event with its key, a view a VIEW event with its url. */
    static final Set<String> TYPES = Set.of("click", "view", "scancode_push", "scancode_waitmsg", "pic_sysphoto",
            "pic_photo_or_album", "pic_weixin", "location_select", "media_id", "article_id", "article_view_limited",
            "miniprogram");
    private static final Set<String> KEYED = Set.of("click", "scancode_push", "scancode_waitmsg", "pic_sysphoto",
            "pic_photo_or_album", "pic_weixin", "location_select");

    /**
     * A menu button. {@code reply} (click buttons only) is the CLICK reply for its key, any kind
     * a menu reply has: text, news, image, transfer-to-agent or crm.
     */
    public record Button(String type, String name, String key, String url, String mediaId, String articleId,
                         String appid, String pagepath, ButtonReply reply, @DefaultValue List<Button> subButton) {
    }

    /** A click button's inline reply; the same kinds as {@code menu-replies} entries. */
    public record ButtonReply(String text, com.wechathub.wechat.WechatProperties.News news,
                              com.wechathub.wechat.WechatProperties.Image image, Boolean transferToAgent, String crm) {

        public MenuReply forKey(String key) {
            return new MenuReply(key, text, news, image, transferToAgent, crm);
        }
    }

    /** The CLICK reply a button of this menu carries for the key, if any. */
    public Optional<MenuReply> reply(String key) {
        return buttons().filter(b -> b.reply() != null && key.equals(b.key())).map(b -> b.reply().forKey(key)).findFirst();
    }

    /** Every click key of the menu that has no reply, neither inline nor in the given menu-replies. */
    public List<String> keysWithoutReply(List<MenuReply> menuReplies) {
        return buttons().filter(b -> "click".equals(b.type()) && b.key() != null && b.reply() == null)
                .map(Button::key).filter(key -> menuReplies.stream().noneMatch(r -> key.equals(r.key()))).toList();
    }

    private java.util.stream.Stream<Button> buttons() {
        return button.stream().flatMap(b -> java.util.stream.Stream.concat(java.util.stream.Stream.of(b), b.subButton().stream()));
    }

    /** The body of menu/create: WeChat's names, no replies (they stay in the hub). */
    public Map<String, Object> toWechat() {
        return Map.of("button", button.stream().map(Menu::toWechat).toList());
    }

    private static Map<String, Object> toWechat(Button b) {
        Map<String, Object> out = new LinkedHashMap<>();
        put(out, "type", b.type());
        put(out, "name", b.name());
        put(out, "key", b.key());
        put(out, "url", b.url());
        put(out, "media_id", b.mediaId());
        put(out, "article_id", b.articleId());
        put(out, "appid", b.appid());
        put(out, "pagepath", b.pagepath());
        if (!b.subButton().isEmpty()) {
            out.put("sub_button", b.subButton().stream().map(Menu::toWechat).toList());
        }
        return out;
    }

    private static void put(Map<String, Object> out, String name, String value) {
        if (value != null) {
            out.put(name, value);
        }
    }

    /** What WeChat would refuse (docs/wechat.md, "The menu and scene-QR campaigns"), one line each, naming the key. */
    public List<String> problems(String at) {
        List<String> problems = new ArrayList<>();
        if (button.isEmpty()) {
            problems.add(at + ".button is empty: a menu has 1 to 3 buttons");
        }
        if (button.size() > BUTTONS) {
            problems.add(at + ".button has " + button.size() + " buttons; WeChat allows at most " + BUTTONS);
        }
        for (int i = 0; i < button.size(); i++) {
            Button top = button.get(i);
            String here = at + ".button[" + i + "]";
            problems.addAll(nameProblems(here, top.name(), TOP_NAME_BYTES));
            if (!top.subButton().isEmpty()) {
                if (top.type() != null) {
                    problems.add(here + ": a button with sub_button has only a name, not type '" + top.type() + "'");
                }
                if (top.subButton().size() > SUB_BUTTONS) {
                    problems.add(here + ".sub_button has " + top.subButton().size() + " buttons; WeChat allows at most " + SUB_BUTTONS);
                }
                for (int j = 0; j < top.subButton().size(); j++) {
                    Button sub = top.subButton().get(j);
                    String subAt = here + ".sub_button[" + j + "]";
                    problems.addAll(nameProblems(subAt, sub.name(), SUB_NAME_BYTES));
                    if (!sub.subButton().isEmpty()) {
                        problems.add(subAt + ".sub_button: WeChat's menu has two levels only");
                    }
                    problems.addAll(buttonProblems(subAt, sub));
                }
            } else {
                problems.addAll(buttonProblems(here, top));
            }
        }
        return problems;
    }

    private static List<String> nameProblems(String at, String name, int limit) {
        if (name == null || name.isBlank()) {
            return List.of(at + ".name is missing");
        }
        int bytes = name.getBytes(StandardCharsets.UTF_8).length;
        return bytes > limit ? List.of(at + ".name: '" + name + "' is " + bytes + " bytes; WeChat allows " + limit) : List.of();
    }

    private static List<String> buttonProblems(String at, Button b) {
        List<String> problems = new ArrayList<>();
        if (b.type() == null) {
            problems.add(at + ".type is missing: one of click, view, " + String.join(", ",
                    TYPES.stream().filter(t -> !t.equals("click") && !t.equals("view")).sorted().toList()));
            return problems;
        }
        if (!TYPES.contains(b.type())) {
            problems.add(at + ".type: '" + b.type() + "' is not a WeChat button type");
        }
        if (KEYED.contains(b.type()) && (b.key() == null || b.key().isBlank())) {
            problems.add(at + ".key is missing: a " + b.type() + " button needs one");
        }
        if (b.key() != null && b.key().getBytes(StandardCharsets.UTF_8).length > KEY_BYTES) {
            problems.add(at + ".key is longer than WeChat's " + KEY_BYTES + " bytes");
        }
        if (Set.of("view", "miniprogram").contains(b.type()) && (b.url() == null || b.url().isBlank())) {
            problems.add(at + ".url is missing: a " + b.type() + " button needs one");
        }
        if (b.url() != null && b.url().getBytes(StandardCharsets.UTF_8).length > URL_BYTES) {
            problems.add(at + ".url is longer than WeChat's " + URL_BYTES + " bytes");
        }
        if ("media_id".equals(b.type()) && b.mediaId() == null) {
            problems.add(at + ".media_id is missing: a media_id button needs one");
        }
        if (Set.of("article_id", "article_view_limited").contains(b.type()) && b.articleId() == null) {
            problems.add(at + ".article_id is missing: an " + b.type() + " button needs one");
        }
        if ("miniprogram".equals(b.type()) && (b.appid() == null || b.pagepath() == null)) {
            problems.add(at + ": a miniprogram button needs appid and pagepath");
        }
        if (b.reply() != null) {
            if (!"click".equals(b.type())) {
                problems.add(at + ".reply: only a click button has a reply (WeChat sends CLICK for it)");
            } else {
                // MenuReply's own check, on the key this button sends
                problems.addAll(b.reply().forKey(b.key() == null ? "" : b.key()).problems(at + ".reply").stream()
                        .filter(p -> !p.contains(".key is missing")).toList());
            }
        }
        return problems;
    }
}
