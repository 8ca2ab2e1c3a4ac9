package com.wechathub.reply;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Reply text as WeChat takes it, and the CRM answers a reply may be built from (docs/wechat.md). */
class ReplyTextTests {

    final ObjectMapper json = new ObjectMapper();

    @Test
    void controlCharactersButNewlineAreRemoved() {
        assertThat(ReplyText.clean("Order\u0000 shipped\r\n\ttoday\u0007\u001b[31m\u007f")).isEqualTo("Order shipped\ntoday[31m");
    }

    @Test
    void textIsCutTo2048BytesOfUtf8AtACharacterBoundary() {
        String chinese = "订单已发货".repeat(200); // 3 bytes a character: 3,000 bytes
        String cut = ReplyText.clean(chinese);
        assertThat(cut.getBytes(StandardCharsets.UTF_8)).hasSize(2046); // 682 whole characters; a 683rd would pass 2,048
        assertThat(chinese).startsWith(cut);

        String emoji = "a" + "😀".repeat(600); // 1 + 4 bytes each
        String cutEmoji = ReplyText.clean(emoji);
        assertThat(cutEmoji.getBytes(StandardCharsets.UTF_8)).hasSize(2045);
        assertThat(Character.isHighSurrogate(cutEmoji.charAt(cutEmoji.length() - 1))).as("no half of a character").isFalse();

        String exact = "x".repeat(2048);
        assertThat(ReplyText.clean(exact)).isEqualTo(exact);
    }

    @Test
    void aCrmTextReplyIsCleanedAsItIsRead() throws Exception {
        CrmReply reply = json.readValue("{\"text\":\"" + "y".repeat(3000) + "\\u0001\"}", CrmReply.class);
        assertThat(reply.text()).hasSize(2048);
        assertThat(reply.isValid()).isTrue();
    }

    @ParameterizedTest
    @ValueSource(strings = {
            "{\"news\":{\"title\":\"\",\"url\":\"https://example.com\"}}",
            "{\"news\":{\"title\":\"Sale\",\"url\":\"\"}}",
            "{\"news\":{\"title\":\"Sale\"}}",
            "{\"news\":{\"title\":\"\\u0000\",\"url\":\"https://example.com\"}}",
            "{\"text\":\"\"}",
            "{\"text\":\"hi\",\"news\":{\"title\":\"\",\"url\":\"https://example.com\"}}",
            "{}",
    })
    void aReplyWithoutATitleAndUrlOrTextIsRefused(String answer) throws Exception {
        assertThat(json.readValue(answer, CrmReply.class).isValid()).isFalse();
    }

    @Test
    void aNewsReplyWithTitleAndUrlIsValid() throws Exception {
        assertThat(json.readValue("{\"news\":{\"title\":\"Sale\",\"url\":\"https://example.com\"}}", CrmReply.class).isValid()).isTrue();
    }

    @Test
    void aConfiguredTextReplyIsCutAndCleanedToo() {
        com.wechathub.wechat.WechatEvent event = new com.wechathub.wechat.WechatEvent();
        event.setFromUserName("oFollower");
        event.setToUserName("gh_account");
        String xml = new com.wechathub.wechat.PassiveReply(java.time.Clock.systemUTC())
                .text(event, java.util.Optional.of("Welcome\u0007 " + "ü".repeat(1500)));
        String content = xml.substring(xml.indexOf("<Content><![CDATA[") + 18, xml.indexOf("]]></Content>"));
        assertThat(content).startsWith("Welcome ü").doesNotContain("\u0007");
        assertThat(content.getBytes(StandardCharsets.UTF_8).length).isBetween(2047, 2048);
    }
}
