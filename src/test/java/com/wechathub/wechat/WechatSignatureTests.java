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
    void matchesOnlyTheSameSignature() {
        String expected = "16120ec1b8dbb870f510d87ce6bc2463eae6ca1a";
        assertThat(WechatSignature.matches(expected, expected)).isTrue();
        assertThat(WechatSignature.matches(expected, expected.toUpperCase())).isTrue();
        assertThat(WechatSignature.matches(expected, "16120ec1b8dbb870f510d87ce6bc2463eae6ca1b")).isFalse();
        assertThat(WechatSignature.matches(expected, "16120ec1")).isFalse();
        assertThat(WechatSignature.matches(expected, "")).isFalse();
        assertThat(WechatSignature.matches(expected, null)).isFalse();
    }
}
