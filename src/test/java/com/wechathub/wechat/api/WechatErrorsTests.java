package com.wechathub.wechat.api;

import static org.assertj.core.api.Assertions.assertThat;

import com.wechathub.wechat.api.WechatErrors.Kind;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The table of WECHAT-API-NOTES.md ("Error codes the hub must tell apart"), errcode by errcode. */
class WechatErrorsTests {

    @ParameterizedTest
    @CsvSource({
            "-1, TRANSIENT",
            "40001, TOKEN", "40014, TOKEN", "42001, TOKEN", "41001, TOKEN",
            "40013, CONFIGURATION", "40125, CONFIGURATION", "40164, CONFIGURATION",
            "89503, CONFIGURATION", "89506, CONFIGURATION", "89507, CONFIGURATION",
            "45009, QUOTA", "45011, QUOTA",
            "43004, FINAL", "45015, FINAL", "45047, FINAL", "45002, FINAL",
            "48001, PERMANENT",
            "40003, OTHER", "45008, OTHER",
    })
    void everyErrcodeHasOneKind(int errcode, Kind kind) {
        assertThat(WechatErrors.kind(errcode)).isEqualTo(kind);
        assertThat(new WechatApiException("/cgi-bin/x", errcode, "refused").kind()).isEqualTo(kind);
        assertThat(WechatErrors.meaning(errcode)).isNotBlank();
    }

    @ParameterizedTest
    @CsvSource({"40001, true", "42001, true", "45009, false", "-1, false"})
    void tokenErrorsAreTheTokenKind(int errcode, boolean token) {
        assertThat(new WechatApiException("/cgi-bin/x", errcode, "refused").isTokenError()).isEqualTo(token);
    }

    @org.junit.jupiter.api.Test
    void noAnswerAtAllIsTransient() {
        assertThat(WechatErrors.kind(null)).isEqualTo(Kind.TRANSIENT);
        assertThat(WechatErrors.meaning(40164)).contains("allow-list");
    }
}
