package com.wechathub.campaign;

import static org.assertj.core.api.Assertions.assertThat;

import com.wechathub.wechat.WechatProperties;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.boot.context.properties.source.MapConfigurationPropertySource;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;

/**
 * Campaigns and the menu as operators write them (docs/wechat.md, "The menu and scene-QR campaigns"), bound as the hub binds
 * application.yaml; what WeChat would refuse is a problem naming the key.
 */
@ExtendWith(OutputCaptureExtension.class)
class CampaignConfigurationTests {

    static final String AT = "wechat.accounts.shop.";

    static WechatProperties bind(Map<String, String> settings) {
        Map<String, String> all = new LinkedHashMap<>();
        all.put(AT + "token", "t");
        all.putAll(settings);
        return new Binder(new MapConfigurationPropertySource(all)).bind("wechat", WechatProperties.class).get();
    }

    static Map<String, String> pairs(String... keysAndValues) {
        Map<String, String> map = new LinkedHashMap<>();
        for (int k = 0; k < keysAndValues.length; k += 2) {
            map.put(keysAndValues[k], keysAndValues[k + 1]);
        }
        return map;
    }

    static Map<String, String> campaign(int i, String... keysAndValues) {
        Map<String, String> map = new LinkedHashMap<>();
        for (int k = 0; k < keysAndValues.length; k += 2) {
            map.put(AT + "campaigns[" + i + "]." + keysAndValues[k], keysAndValues[k + 1]);
        }
        return map;
    }

    @Test
    void aCampaignBindsFromWhatOperatorsWrite() {
        var properties = bind(campaign(0, "scene", "spring_poster", "name", "Spring poster", "expires", "7d",
                "welcome.text", "Hi", "scan.news.title", "Again", "scan.news.pic-url", "https://example.com/p.jpg", "scan.news.url", "https://example.com/again",
                "tags[0]", "spring", "tags[1]", "poster"));
        Campaign campaign = properties.account("shop").orElseThrow().campaign("spring_poster").orElseThrow();

        assertThat(campaign.expires()).isEqualTo(Duration.ofDays(7));
        assertThat(campaign.welcome().text()).isEqualTo("Hi");
        assertThat(campaign.scan().news().picUrl()).isEqualTo("https://example.com/p.jpg");
        assertThat(campaign.tags()).containsExactly("spring", "poster");
        assertThat(properties.problems()).isEmpty();
    }

    @Test
    void whatACampaignCannotBeIsAProblemNamingItsKey() {
        Map<String, String> settings = new LinkedHashMap<>();
        settings.putAll(campaign(0, "scene", "x".repeat(65), "name", "Too long", "permanent", "true"));
        settings.putAll(campaign(1, "scene", "a", "name", "Both", "permanent", "true", "expires", "1d"));
        settings.putAll(campaign(2, "scene", "b", "name", "Neither"));
        settings.putAll(campaign(3, "scene", "c", "name", "Too late", "expires", "31d"));
        settings.putAll(campaign(4, "scene", "a", "expires", "1h", "welcome.text", "x", "welcome.news.title", "y",
                "scan.news.description", "no title", "tags[0]", "two words"));
        settings.putAll(campaign(5, "name", "No scene", "permanent", "true"));

        assertThat(bind(settings).problems()).containsExactlyInAnyOrder(
                AT + "campaigns[0].scene: '" + "x".repeat(65) + "' is longer than WeChat's 64 characters",
                AT + "campaigns[1]: give either expires (a duration up to 30d, for a temporary code) or permanent: true",
                AT + "campaigns[2]: give either expires (a duration up to 30d, for a temporary code) or permanent: true",
                AT + "campaigns[3].expires: PT744H is not between 1 second and 30 days (WeChat's limit)",
                AT + "campaigns[4].name is missing",
                AT + "campaigns[4].welcome: give exactly one of text, news; it has text and news",
                AT + "campaigns[4].scan.news.title is missing",
                AT + "campaigns[4].scan.news.url is missing: the page the article opens",
                AT + "campaigns[4].tags[0]: 'two words' is not a word (letters, digits, _ . -)",
                AT + "campaigns[4].scene: 'a' has another campaign before this one",
                AT + "campaigns[5].scene is missing: WeChat's scene_str, 1 to 64 characters");
    }

    @Test
    void theMenuBindsInWechatsShapeAndItsButtonsRepliesAnswerClicks() {
        var properties = bind(pairs(
                AT + "menu.button[0].type", "click", AT + "menu.button[0].name", "Today", AT + "menu.button[0].key", "V1001_TODAY",
                AT + "menu.button[0].reply.text", "Today's pick",
                AT + "menu.button[1].name", "More",
                AT + "menu.button[1].sub_button[0].type", "view", AT + "menu.button[1].sub_button[0].name", "Site",
                AT + "menu.button[1].sub_button[0].url", "https://example.com/",
                AT + "menu.button[1].sub_button[1].type", "media_id", AT + "menu.button[1].sub_button[1].name", "Poster",
                AT + "menu.button[1].sub_button[1].media_id", "MEDIA_1"));
        WechatProperties.Account account = properties.account("shop").orElseThrow();

        assertThat(properties.problems()).isEmpty();
        assertThat(account.menuReply("V1001_TODAY").orElseThrow().text()).isEqualTo("Today's pick");
        assertThat(account.menu().toWechat()).isEqualTo(Map.of("button", java.util.List.of(
                Map.of("type", "click", "name", "Today", "key", "V1001_TODAY"),
                Map.of("name", "More", "sub_button", java.util.List.of(
                        Map.of("type", "view", "name", "Site", "url", "https://example.com/"),
                        Map.of("type", "media_id", "name", "Poster", "media_id", "MEDIA_1"))))));
    }

    @Test
    void whatWechatWouldRefuseInAMenuIsAProblemNamingItsKey() {
        Map<String, String> settings = new LinkedHashMap<>();
        String b = AT + "menu.button";
        for (int i = 0; i < 4; i++) {
            settings.put(b + "[" + i + "].type", "click");
            settings.put(b + "[" + i + "].name", "B" + i);
            settings.put(b + "[" + i + "].key", "K" + i);
        }
        settings.put(b + "[0].name", "一二三四五六"); // 18 bytes in UTF-8
        settings.remove(b + "[1].key");
        settings.put(b + "[2].type", "view");
        settings.put(b + "[2].reply.text", "a view has no reply");
        settings.put(b + "[3].key", "k".repeat(129));
        settings.put(b + "[3].reply.text", "one");
        settings.put(b + "[3].reply.transfer-to-agent", "true");

        assertThat(bind(settings).problems()).containsExactlyInAnyOrder(
                AT + "menu.button has 4 buttons; WeChat allows at most 3",
                AT + "menu.button[0].name: '一二三四五六' is 18 bytes; WeChat allows 16",
                AT + "menu.button[1].key is missing: a click button needs one",
                AT + "menu.button[2].url is missing: a view button needs one",
                AT + "menu.button[2].reply: only a click button has a reply (WeChat sends CLICK for it)",
                AT + "menu.button[3].key is longer than WeChat's 128 bytes",
                AT + "menu.button[3].reply (key " + "k".repeat(129) + "): give exactly one of text, news, image, transfer-to-agent, crm; it has text and transfer-to-agent");
    }

    @Test
    void subButtonsAreLimitedToFiveWithNamesOfSixtyBytes() {
        Map<String, String> settings = new LinkedHashMap<>();
        String b = AT + "menu.button[0]";
        settings.put(b + ".name", "More");
        for (int i = 0; i < 6; i++) {
            settings.put(b + ".sub_button[" + i + "].type", "view");
            settings.put(b + ".sub_button[" + i + "].name", i == 5 ? "n".repeat(61) : "S" + i);
            settings.put(b + ".sub_button[" + i + "].url", i == 4 ? "https://example.com/" + "u".repeat(1010) : "https://example.com/");
        }
        assertThat(bind(settings).problems()).containsExactlyInAnyOrder(
                b + ".sub_button has 6 buttons; WeChat allows at most 5",
                b + ".sub_button[4].url is longer than WeChat's 1024 bytes",
                b + ".sub_button[5].name: '" + "n".repeat(61) + "' is 61 bytes; WeChat allows 60");
    }

    @Test
    void sceneRepliesAndAClickKeyWithoutAReplyAreWarnedAbout(CapturedOutput output) {
        var properties = bind(pairs(AT + "scene-replies[0].scene", "123", AT + "scene-replies[0].welcome", "Hi",
                AT + "menu.button[0].type", "click", AT + "menu.button[0].name", "A", AT + "menu.button[0].key", "K_NONE",
                AT + "menu.button[1].type", "click", AT + "menu.button[1].name", "B", AT + "menu.button[1].key", "K_LISTED",
                AT + "menu-replies[0].key", "K_LISTED", AT + "menu-replies[0].text", "listed"));

        new CampaignConfigurationWarnings(properties).warn();

        assertThat(output).contains("WARN").contains("wechat.accounts.shop.scene-replies is deprecated")
                .contains("the click button with key K_NONE has no reply").doesNotContain("key K_LISTED");
    }
}
