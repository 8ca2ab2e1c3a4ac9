package com.wechathub.wechat;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.springframework.core.env.MapPropertySource;
import org.springframework.core.env.StandardEnvironment;
import org.springframework.core.env.SystemEnvironmentPropertySource;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.annotation.Configuration;

/**
 * A reply configuration the hub does not understand stops it at start-up, naming the key
 * (docs/wechat.md), instead of failing a follower's click later. See RouteValidationTests for the
 * same through --validate-routes.
 */
class ReplyConfigurationTests {

    @Configuration(proxyBeanMethods = false)
    @EnableConfigurationProperties(WechatProperties.class)
    static class Bind {
    }

    final ApplicationContextRunner hub = new ApplicationContextRunner().withUserConfiguration(Bind.class, WechatConfigurationCheck.class)
            .withPropertyValues("wechat.accounts.shop.token=t", "wechat.accounts.shop.menu-replies[0].key=K_OK",
                    "wechat.accounts.shop.menu-replies[0].text=fine");

    @Test
    void everyKindOfReplyIsAccepted() {
        hub.withPropertyValues(
                        "wechat.accounts.shop.app-id=wx1", "wechat.accounts.shop.app-secret=s",
                        "wechat.accounts.shop.welcome-news.title=Hello", "wechat.accounts.shop.welcome-news.url=https://e.com",
                        "wechat.accounts.shop.menu-replies[1].key=K_NEWS", "wechat.accounts.shop.menu-replies[1].news.title=T",
                        "wechat.accounts.shop.menu-replies[1].news.pic-url=https://e.com/p.jpg", "wechat.accounts.shop.menu-replies[1].news.url=https://e.com/a",
                        "wechat.accounts.shop.menu-replies[2].key=K_IMAGE", "wechat.accounts.shop.menu-replies[2].image.media-id=M",
                        "wechat.accounts.shop.menu-replies[3].key=K_AGENT", "wechat.accounts.shop.menu-replies[3].transfer-to-agent=true",
                        "wechat.accounts.shop.menu-replies[4].key=K_CRM", "wechat.accounts.shop.menu-replies[4].crm=/replies/{openid}/{key}")
                .run(context -> {
                    assertThat(context).hasNotFailed();
                    WechatProperties.Account shop = context.getBean(WechatProperties.class).account("shop").orElseThrow();
                    assertThat(shop.menuReply("K_NEWS").orElseThrow().news().picUrl()).isEqualTo("https://e.com/p.jpg");
                    assertThat(shop.menuReply("K_AGENT").orElseThrow().transfers()).isTrue();
                    assertThat(shop.welcomeNews().title()).isEqualTo("Hello");
                });
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
            "no kind                | menu-replies[1].key=K_EMPTY                                                  | | menu-replies[1] (key K_EMPTY): give exactly one of text, news, image, transfer-to-agent, crm; it has none",
            "two kinds              | menu-replies[1].key=K_TWO, menu-replies[1].text=t                            | menu-replies[1].image.media-id=M | menu-replies[1] (key K_TWO): give exactly one of text, news, image, transfer-to-agent, crm; it has text and image",
            "an unknown kind        | menu-replies[1].key=K_VIDEO, menu-replies[1].video=v                         | | wechat.accounts.shop.menu-replies[1].video",
            "a misspelt news field  | menu-replies[1].key=K_NEWS, menu-replies[1].news.title=T, menu-replies[1].news.url=https://e.com | menu-replies[1].news.picture=x | wechat.accounts.shop.menu-replies[1].news.picture",
            "news without a title   | menu-replies[1].key=K_NEWS, menu-replies[1].news.url=https://e.com           | | menu-replies[1].news.title is missing",
            "news without a link    | menu-replies[1].key=K_NEWS, menu-replies[1].news.title=T                     | | menu-replies[1].news.url is missing",
            "image without media-id | menu-replies[1].key=K_IMAGE, menu-replies[1].image.media-id=                 | | menu-replies[1].image.media-id is missing",
            "a crm path             | menu-replies[1].key=K_CRM, menu-replies[1].crm=replies                       | | menu-replies[1].crm: 'replies' must be a path",
            "no key                 | menu-replies[1].text=t                                                       | | menu-replies[1].key is missing",
            "a key twice            | menu-replies[1].key=K_OK, menu-replies[1].text=again                         | | menu-replies[1].key: 'K_OK' has another entry before this one",
            "welcome twice          | welcome=hi, welcome-news.title=Hi, welcome-news.url=https://e.com            | | give either welcome or welcome-news, not both",
            "a secret without app   | app-secret=s                                                                 | | app-secret is set but app-id is not",
    })
    void aReplyTheHubDoesNotUnderstandStopsItNamingTheKey(String name, String settings, String more, String expected) {
        List<String> properties = new ArrayList<>();
        for (String setting : (settings + (more == null ? "" : "," + more)).split(",")) {
            properties.add("wechat.accounts.shop." + setting.trim());
        }
        hub.withPropertyValues(properties.toArray(String[]::new)).run(context -> {
            assertThat(context).hasFailed();
            assertThat(messages(context.getStartupFailure())).contains(expected);
        });
    }

    static String messages(Throwable failure) {
        StringBuilder all = new StringBuilder();
        for (Throwable t = failure; t != null; t = t.getCause()) {
            all.append(t.getMessage()).append('\n');
        }
        return all.toString();
    }

    /** The benchmark kit exports WECHAT_TIMESTAMP, WECHAT_NONCE, WECHAT_SIGNATURE for its client: not the hub's settings. */
    @Test
    void unknownWechatEnvironmentVariablesAreNotTheHubsButUnknownKeysOfItsOwnConfigurationAre() {
        StandardEnvironment environment = new StandardEnvironment();
        environment.getPropertySources().addFirst(new SystemEnvironmentPropertySource("systemEnvironment",
                Map.of("WECHAT_TIMESTAMP", "1732600000", "WECHAT_NONCE", "benchnonce", "WECHAT_ACCOUNTS_SHOP_TOKEN", "t")));
        assertThat(WechatConfigurationCheck.unknownKeys(environment)).isEmpty();

        environment.getPropertySources().addFirst(new MapPropertySource("commandLineArgs", Map.of("wechat.timestamp", "1")));
        assertThat(WechatConfigurationCheck.unknownKeys(environment)).singleElement().asString().startsWith("wechat.timestamp: not a setting");
    }
}
