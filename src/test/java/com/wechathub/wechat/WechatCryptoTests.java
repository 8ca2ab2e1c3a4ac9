package com.wechathub.wechat;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.util.Base64;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Pinned by the public vectors in WECHAT-VECTORS.md, plus round trips and refusals. */
class WechatCryptoTests {

    static final String KEY = "abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG";
    static final String TENCENT_ENCRYPT = "hyzAe4OzmOMbd6TvGdIOO6uBmdJoD0Fk53REIHvxYtJlE2B655HuD0m8KUePWB3+LrPXo87wzQ1QLvbeUgmBM4x6F8PGHQHFVAFmOD2LdJF9FrXpbUAh0B5GIItb52sn896wVsMSHGuPE328HnRGBcrS7C41IzDWyWNlZkyyXwon8T332jisa+h6tEDYsVticbSnyU8dKOIbgU6ux5VTjg3yt+WGzjlpKn6NPhRjpA912xMezR4kw6KWwMrCVKSVCZciVGCgavjIQ6X8tCOp3yZbGpy0VxpAe+77TszTfRd5RJSVO/HTnifJpXgCSUdUue1v6h0EIBYYI1BD1DlD+C0CR8e6OewpusjZ4uBl9FyJvnhvQl+q5rv1ixrcpCumEPo5MJSgM9ehVsNPfUM669WuMyVWQLCzpu9GhglF2PE=";

    @Test
    void decryptsTencentsSample() {
        String xml = new WechatCrypto(KEY, "wx2c2769f8efd9abc2").decrypt(TENCENT_ENCRYPT);

        assertThat(xml).contains("<ToUserName><![CDATA[gh_10f6c3c3ac5a]]></ToUserName>")
                .contains("<FromUserName><![CDATA[oyORnuP8q7ou2gfYjqLzSIWZf0rs]]></FromUserName>")
                .contains("<CreateTime>1409735668</CreateTime>")
                .contains("<Content><![CDATA[abcdteT]]></Content>")
                .contains("<MsgId>6054768590064713728</MsgId>");
    }

    @Test
    void encryptsWxJavasVectorExactly() {
        String encrypted = new WechatCrypto(KEY, "wxb11529c136998cb6")
                .encrypt("aaaabbbbccccdddd".getBytes(StandardCharsets.US_ASCII), "我是中文abcd123");

        assertThat(encrypted).isEqualTo("jn1L23DB+6ELqJ+6bruv21Y6MD7KeIfP82D6gU39rmkgczbWwt5+3bnyg5K55bgVtVzd832WzZGMhkP72vVOfg==");
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "a", "<xml>欢迎关注</xml>", "exactly-twelve", "0123456789012345678901234567890123456789012"})
    void roundTrips(String message) {
        WechatCrypto crypto = new WechatCrypto(KEY, "wx0000000000000demo");
        assertThat(crypto.decrypt(crypto.encrypt(message))).isEqualTo(message);
    }

    @Test
    void padsAWholeBlockWhenTheFramingIsAMultipleOf32() {
        // 16 random + 4 length + 3 message + 9 AppID = 32 bytes: PKCS#7 adds a whole 32-byte block.
        WechatCrypto crypto = new WechatCrypto(KEY, "wxABCDEFG");
        String encrypted = crypto.encrypt(new byte[16], "abc");
        assertThat(Base64.getDecoder().decode(encrypted)).hasSize(64);
        assertThat(crypto.decrypt(encrypted)).isEqualTo("abc");
    }

    @Test
    void refusesAPayloadSealedForAnotherAppId() {
        String sealed = new WechatCrypto(KEY, "wxSomeoneElse").encrypt("<xml/>");
        assertThatThrownBy(() -> new WechatCrypto(KEY, "wx0000000000000demo").decrypt(sealed))
                .isInstanceOfSatisfying(Rejection.class, r -> assertThat(r.getStatus()).isEqualTo(400))
                .hasMessageContaining("AppID");
    }

    @ParameterizedTest
    @ValueSource(strings = {"not base64 !!", "AAAA", "", "hyzAe4OzmOMbd6TvGdIOO6uBmdJoD0Fk53REIHvxYtJlE2B655HuD0m8KUePWB3+"})
    void refusesGarbageAndTruncatedPayloadsWithA400(String encrypted) {
        assertThatThrownBy(() -> new WechatCrypto(KEY, "wx2c2769f8efd9abc2").decrypt(encrypted))
                .isInstanceOfSatisfying(Rejection.class, r -> assertThat(r.getStatus()).isEqualTo(400));
    }

    @Test
    void refusesATamperedPayload() {
        byte[] sealed = Base64.getDecoder().decode(TENCENT_ENCRYPT);
        sealed[sealed.length - 20] ^= 0x55;
        String tampered = Base64.getEncoder().encodeToString(sealed);
        assertThatThrownBy(() -> new WechatCrypto(KEY, "wx2c2769f8efd9abc2").decrypt(tampered)).isInstanceOf(Rejection.class);
    }
}
