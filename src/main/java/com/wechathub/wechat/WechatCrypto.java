package com.wechathub.wechat;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.Arrays;
import java.util.Base64;
import javax.crypto.Cipher;
import javax.crypto.spec.IvParameterSpec;
import javax.crypto.spec.SecretKeySpec;

/**
 * WeChat's safe-mode message crypto for one account.
 *
 * <p>AES-256-CBC with the key's first 16 bytes as IV and PKCS#7 padding to a <em>32-byte</em>
 * block (not the cipher's 16). Plaintext = 16 random bytes, 4-byte big-endian length of the
 * message in UTF-8 bytes, the message, then the AppID, which we check after decrypting —
 * a payload sealed for another account is refused.
 */
public final class WechatCrypto {

    private static final int BLOCK = 32;
    private static final SecureRandom RANDOM = new SecureRandom();

    private final byte[] key;
    private final String appId;

    public WechatCrypto(String encodingAesKey, String appId) {
        if (encodingAesKey == null || encodingAesKey.length() != 43) {
            throw new IllegalArgumentException("EncodingAESKey must be 43 characters");
        }
        this.key = Base64.getDecoder().decode(encodingAesKey + "=");
        this.appId = appId;
    }

    public String encrypt(String message) {
        byte[] random = new byte[16];
        RANDOM.nextBytes(random);
        return encrypt(random, message);
    }

    /** Encrypts with a given 16-byte random prefix; public so fixed test vectors can pin it. */
    public String encrypt(byte[] random, String message) {
        byte[] msg = message.getBytes(StandardCharsets.UTF_8);
        byte[] app = appId.getBytes(StandardCharsets.UTF_8);
        int unpadded = 16 + 4 + msg.length + app.length;
        int pad = BLOCK - (unpadded % BLOCK);
        ByteBuffer plain = ByteBuffer.allocate(unpadded + pad);
        plain.put(random, 0, 16).putInt(msg.length).put(msg).put(app);
        for (int i = 0; i < pad; i++) {
            plain.put((byte) pad);
        }
        try {
            return Base64.getEncoder().encodeToString(cipher(Cipher.ENCRYPT_MODE).doFinal(plain.array()));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("AES encryption failed", e);
        }
    }

    /** Decrypts an Encrypt value; any malformed, tampered or foreign payload is a {@link Rejection} (400). */
    public String decrypt(String encrypted) {
        if (encrypted == null) {
            throw Rejection.badRequest("encrypted payload is missing");
        }
        byte[] plain;
        try {
            byte[] sealed = Base64.getDecoder().decode(encrypted.trim());
            if (sealed.length == 0 || sealed.length % 16 != 0) {
                throw Rejection.badRequest("encrypted payload cannot be decrypted");
            }
            plain = cipher(Cipher.DECRYPT_MODE).doFinal(sealed);
        } catch (IllegalArgumentException | GeneralSecurityException e) {
            throw Rejection.badRequest("encrypted payload cannot be decrypted");
        }
        int pad = plain.length == 0 ? 0 : plain[plain.length - 1] & 0xff;
        if (pad < 1 || pad > BLOCK || pad > plain.length) {
            throw Rejection.badRequest("encrypted payload has bad padding");
        }
        int end = plain.length - pad;
        for (int i = end; i < plain.length; i++) {
            if ((plain[i] & 0xff) != pad) {
                throw Rejection.badRequest("encrypted payload has bad padding");
            }
        }
        if (end < 20) {
            throw Rejection.badRequest("encrypted payload is too short");
        }
        int length = ByteBuffer.wrap(plain, 16, 4).getInt();
        // written as a subtraction: "20 + length" overflows for a forged length near 2^31
        if (length < 0 || length > end - 20) {
            throw Rejection.badRequest("encrypted payload has a bad length");
        }
        byte[] foundApp = Arrays.copyOfRange(plain, 20 + length, end);
        if (!MessageDigest.isEqual(foundApp, appId.getBytes(StandardCharsets.UTF_8))) {
            throw Rejection.badRequest("encrypted payload is for another AppID");
        }
        return new String(plain, 20, length, StandardCharsets.UTF_8);
    }

    private Cipher cipher(int mode) throws GeneralSecurityException {
        // PKCS#7 to 32 bytes is done by hand, so the cipher runs without padding.
        Cipher cipher = Cipher.getInstance("AES/CBC/NoPadding");
        cipher.init(mode, new SecretKeySpec(key, "AES"), new IvParameterSpec(key, 0, 16));
        return cipher;
    }
}
