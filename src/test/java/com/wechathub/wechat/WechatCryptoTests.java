package com.wechathub.wechat;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Base64;
import java.util.Random;
import javax.crypto.Cipher;
import javax.crypto.spec.IvParameterSpec;
import javax.crypto.spec.SecretKeySpec;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.NullAndEmptySource;
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
        assertThat(xml).startsWith("<xml>").endsWith("</xml>");
    }

    @Test
    void tencentsSampleIsFramedAsDocumented() {
        byte[] plain = open(TENCENT_ENCRYPT);
        int length = ByteBuffer.wrap(plain, 16, 4).getInt();
        int pad = plain[plain.length - 1];

        assertThat(new String(plain, 0, 16, StandardCharsets.US_ASCII)).isEqualTo("89465c840c5f116f");
        assertThat(new String(plain, 20 + length, plain.length - pad - 20 - length, StandardCharsets.US_ASCII))
                .isEqualTo("wx2c2769f8efd9abc2");
        assertThat(pad).isBetween(1, 32);
    }

    @Test
    void encryptsWxJavasVectorExactly() {
        String encrypted = new WechatCrypto(KEY, "wxb11529c136998cb6")
                .encrypt("aaaabbbbccccdddd".getBytes(StandardCharsets.US_ASCII), "我是中文abcd123");

        assertThat(encrypted).isEqualTo("jn1L23DB+6ELqJ+6bruv21Y6MD7KeIfP82D6gU39rmkgczbWwt5+3bnyg5K55bgVtVzd832WzZGMhkP72vVOfg==");
        assertThat(new WechatCrypto(KEY, "wxb11529c136998cb6").decrypt(encrypted)).isEqualTo("我是中文abcd123");
    }

    @Test
    void prefixesTheLengthInUtf8BytesBigEndian() {
        byte[] plain = open(new WechatCrypto(KEY, "wxb11529c136998cb6")
                .encrypt("aaaabbbbccccdddd".getBytes(StandardCharsets.US_ASCII), "我是中文abcd123"));

        // four 3-byte characters and seven ASCII ones: 19 bytes, not 11 characters
        assertThat(Arrays.copyOfRange(plain, 16, 20)).containsExactly(0, 0, 0, 19);
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
        assertThat(open(encrypted)).endsWith(filled(32, 32));
        assertThat(crypto.decrypt(encrypted)).isEqualTo("abc");
    }

    @ParameterizedTest
    // with a 19-byte AppID the framing is 39 bytes + the message: 25 and 57 bytes fill whole blocks
    @ValueSource(strings = {"abcdefghijklmnopqrstuvwxy", "<xml>欢迎关注</xml>ab", "<xml><Content><![CDATA[欢迎关注我]]></Content></xml>"})
    void roundTripsMessagesWhoseFramingFillsWholeBlocks(String message) {
        WechatCrypto crypto = new WechatCrypto(KEY, "wx0000000000000demo");
        int framed = 16 + 4 + message.getBytes(StandardCharsets.UTF_8).length + 19;
        assertThat(framed % 32).isZero();

        String encrypted = crypto.encrypt(message);

        assertThat(Base64.getDecoder().decode(encrypted)).hasSize(framed + 32);
        assertThat(crypto.decrypt(encrypted)).isEqualTo(message);
    }

    @Test
    void twoEncryptionsOfOneMessageDiffer() {
        WechatCrypto crypto = new WechatCrypto(KEY, "wx0000000000000demo");
        assertThat(crypto.encrypt("<xml/>")).isNotEqualTo(crypto.encrypt("<xml/>"));
    }

    @Test
    void refusesAPayloadSealedForAnotherAppId() {
        String sealed = new WechatCrypto(KEY, "wxSomeoneElse").encrypt("<xml/>");
        assertThatThrownBy(() -> new WechatCrypto(KEY, "wx0000000000000demo").decrypt(sealed))
                .isInstanceOfSatisfying(Rejection.class, r -> assertThat(r.getStatus()).isEqualTo(400))
                .hasMessageContaining("AppID");
    }

    @ParameterizedTest
    @ValueSource(strings = {"wx2c2769f8efd9abc", "wx2c2769f8efd9abc22", "WX2C2769F8EFD9ABC2", ""})
    void refusesTencentsSampleForAnAppIdThatIsNearlyRight(String appId) {
        assertThatThrownBy(() -> new WechatCrypto(KEY, appId).decrypt(TENCENT_ENCRYPT))
                .isInstanceOfSatisfying(Rejection.class, r -> assertThat(r.getStatus()).isEqualTo(400));
    }

    @ParameterizedTest
    @NullAndEmptySource
    @ValueSource(strings = {"not base64 !!", "AAAA", " ", "hyzAe4OzmOMbd6TvGdIOO6uBmdJoD0Fk53REIHvxYtJlE2B655HuD0m8KUePWB3+",
            "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA", "hyzAe4OzmOMbd6TvGdIOO6uBmdJoD0Fk53REIHvxYtI=", "hyzAe4Oz\nmOMbd6TvGdIOO6uB"})
    void refusesGarbageAndTruncatedPayloadsWithA400(String encrypted) {
        assertThatThrownBy(() -> new WechatCrypto(KEY, "wx2c2769f8efd9abc2").decrypt(encrypted))
                .isInstanceOfSatisfying(Rejection.class, r -> assertThat(r.getStatus()).isEqualTo(400));
    }

    @Test
    void refusesTencentsSampleCutShort() {
        byte[] sealed = Base64.getDecoder().decode(TENCENT_ENCRYPT);
        for (int blocks = 0; blocks < sealed.length / 16; blocks++) {
            String truncated = Base64.getEncoder().encodeToString(Arrays.copyOf(sealed, blocks * 16));
            assertThatThrownBy(() -> new WechatCrypto(KEY, "wx2c2769f8efd9abc2").decrypt(truncated))
                    .isInstanceOfSatisfying(Rejection.class, r -> assertThat(r.getStatus()).isEqualTo(400));
        }
    }

    @Test
    void refusesATamperedPayload() {
        byte[] sealed = Base64.getDecoder().decode(TENCENT_ENCRYPT);
        sealed[sealed.length - 20] ^= 0x55;
        String tampered = Base64.getEncoder().encodeToString(sealed);
        assertThatThrownBy(() -> new WechatCrypto(KEY, "wx2c2769f8efd9abc2").decrypt(tampered))
                .isInstanceOfSatisfying(Rejection.class, r -> assertThat(r.getStatus()).isEqualTo(400));
    }

    @Test
    void aTamperedByteAnywhereIsARejectionOrAnAlteredMessageNeverAnotherException() {
        // CBC carries no MAC: a flipped bit in one block garbles that block and flips the same bit
        // in the next, so some tampering decrypts to an altered message. That is why msg_signature
        // (over the Encrypt value) is checked before decrypting; decrypt itself must only never fail
        // with anything but a 400.
        WechatCrypto crypto = new WechatCrypto(KEY, "wx2c2769f8efd9abc2");
        byte[] sealed = Base64.getDecoder().decode(TENCENT_ENCRYPT);
        for (int i = 0; i < sealed.length; i++) {
            byte[] tampered = sealed.clone();
            tampered[i] ^= 0x01;
            String encrypted = Base64.getEncoder().encodeToString(tampered);
            try {
                String altered = crypto.decrypt(encrypted);
                assertThat(altered).isNotEqualTo(crypto.decrypt(TENCENT_ENCRYPT));
                assertThat(WechatSignature.sign("spamtest", "1409735669", "1320562132", encrypted))
                        .isNotEqualTo("5d197aaffba7e9b25a30732f161a50dee96bd5fa");
            } catch (Rejection rejected) {
                assertThat(rejected.getStatus()).isEqualTo(400);
            }
        }
    }

    @Test
    void refusesRandomCiphertextWithA400() {
        WechatCrypto crypto = new WechatCrypto(KEY, "wx2c2769f8efd9abc2");
        Random random = new Random(20140903);
        for (int i = 0; i < 2000; i++) {
            byte[] garbage = new byte[16 * (1 + random.nextInt(8))];
            random.nextBytes(garbage);
            String encrypted = Base64.getEncoder().encodeToString(garbage);
            assertThatThrownBy(() -> crypto.decrypt(encrypted))
                    .isInstanceOfSatisfying(Rejection.class, r -> assertThat(r.getStatus()).isEqualTo(400));
        }
    }

    @ParameterizedTest
    // a well-sealed payload (right key) whose framing lies; each must be a 400, not an index error
    @ValueSource(ints = {Integer.MAX_VALUE, Integer.MAX_VALUE - 19, Integer.MIN_VALUE, -1, 45, 1000})
    void refusesAForgedLength(int length) {
        byte[] plain = frame(length, "hello", "wx0000000000000demo");
        assertRejected(plain);
    }

    @Test
    void refusesForgedPadding() {
        byte[] zeroPad = frame(5, "hello", "wx0000000000000demo");
        zeroPad[zeroPad.length - 1] = 0;
        assertRejected(zeroPad);

        byte[] overlongPad = frame(5, "hello", "wx0000000000000demo");
        overlongPad[overlongPad.length - 1] = 33;
        assertRejected(overlongPad);

        byte[] unevenPad = frame(5, "hello", "wx0000000000000demo");
        unevenPad[unevenPad.length - 2] ^= 0x01;
        assertRejected(unevenPad);
    }

    @Test
    void refusesAPayloadTooShortToHoldALength() {
        // one block that is all padding: no random prefix, no length
        assertRejected(filled(32, 32));
    }

    @Test
    void acceptsAFrameBuiltOutsideTheClass() {
        String sealed = seal(frame(5, "hello", "wx0000000000000demo"));
        assertThat(new WechatCrypto(KEY, "wx0000000000000demo").decrypt(sealed)).isEqualTo("hello");
    }

    private static void assertRejected(byte[] plain) {
        String sealed = seal(plain);
        assertThatThrownBy(() -> new WechatCrypto(KEY, "wx0000000000000demo").decrypt(sealed))
                .isInstanceOfSatisfying(Rejection.class, r -> assertThat(r.getStatus()).isEqualTo(400));
    }

    /** 16 zero bytes, the given (possibly lying) length, message, AppID and correct 32-byte PKCS#7. */
    private static byte[] frame(int length, String message, String appId) {
        byte[] msg = message.getBytes(StandardCharsets.UTF_8);
        byte[] app = appId.getBytes(StandardCharsets.UTF_8);
        int unpadded = 16 + 4 + msg.length + app.length;
        int pad = 32 - unpadded % 32;
        ByteBuffer plain = ByteBuffer.allocate(unpadded + pad);
        plain.put(new byte[16]).putInt(length).put(msg).put(app).put(filled(pad, pad));
        return plain.array();
    }

    private static byte[] filled(int count, int value) {
        byte[] bytes = new byte[count];
        Arrays.fill(bytes, (byte) value);
        return bytes;
    }

    /** AES-256-CBC with the JDK directly, independent of WechatCrypto, to seal hand-made frames. */
    private static String seal(byte[] plain) {
        return Base64.getEncoder().encodeToString(aes(Cipher.ENCRYPT_MODE, plain));
    }

    private static byte[] open(String encrypted) {
        return aes(Cipher.DECRYPT_MODE, Base64.getDecoder().decode(encrypted));
    }

    private static byte[] aes(int mode, byte[] input) {
        try {
            byte[] key = Base64.getDecoder().decode(KEY + "=");
            Cipher cipher = Cipher.getInstance("AES/CBC/NoPadding");
            cipher.init(mode, new SecretKeySpec(key, "AES"), new IvParameterSpec(key, 0, 16));
            return cipher.doFinal(input);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }
}
