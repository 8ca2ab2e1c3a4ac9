package com.wechathub.wechat;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class WechatSignatureTests {

    @Test
    void signsTencentsSample() {
        assertThat(WechatSignature.sign("spamtest", "1409735669", "1320562132"))
                .isEqualTo("16120ec1b8dbb870f510d87ce6bc2463eae6ca1a");
        assertThat(WechatSignature.sign("spamtest", "1409735669", "1320562132", WechatCryptoTests.TENCENT_ENCRYPT))
                .isEqualTo("5d197aaffba7e9b25a30732f161a50dee96bd5fa");
    }

    @Test
    void sortsThePartsSoTheirOrderDoesNotMatter() {
        assertThat(WechatSignature.sign("1320562132", "spamtest", "1409735669"))
                .isEqualTo(WechatSignature.sign("1409735669", "1320562132", "spamtest"))
                .isEqualTo("16120ec1b8dbb870f510d87ce6bc2463eae6ca1a");
    }

    @Test
    void matchesTencentsMsgSignature() {
        String expected = WechatSignature.sign("spamtest", "1409735669", "1320562132", WechatCryptoTests.TENCENT_ENCRYPT);
        assertThat(WechatSignature.matches(expected, "5D197AAFFBA7E9B25A30732F161A50DEE96BD5FA")).isTrue();
        // the URL signature is not the msg_signature
        assertThat(WechatSignature.matches(expected, "16120ec1b8dbb870f510d87ce6bc2463eae6ca1a")).isFalse();
    }

    @Test
    void matchesOnlyTheSameSignature() {
        String expected = "16120ec1b8dbb870f510d87ce6bc2463eae6ca1a";
        assertThat(WechatSignature.matches(expected, expected)).isTrue();
        assertThat(WechatSignature.matches(expected, expected.toUpperCase())).isTrue();
        assertThat(WechatSignature.matches(expected, "16120ec1b8dbb870f510d87ce6bc2463eae6ca1b")).isFalse();
        assertThat(WechatSignature.matches(expected, "16120ec1")).isFalse();
        assertThat(WechatSignature.matches(expected, "")).isFalse();
        assertThat(WechatSignature.matches(expected, null)).isFalse();
        assertThat(WechatSignature.matches(expected, expected + "0")).isFalse();
        assertThat(WechatSignature.matches(expected, " " + expected)).isFalse();
    }
}
