package com.wechathub.reply;

/**
 * Reply text as WeChat takes it (docs/wechat.md): control characters other than newline removed
 * (WeChat shows them as garbage or refuses the message), and at most 2,048 bytes of UTF-8 (45002:
 * content too long), cut at a character boundary so no character is split.
 */
public final class ReplyText {

    public static final int MAX_BYTES = 2048;

    private ReplyText() {
    }

    public static String clean(String text) {
        if (text == null) {
            return null;
        }
        StringBuilder kept = new StringBuilder(Math.min(text.length(), MAX_BYTES));
        int bytes = 0;
        for (int i = 0; i < text.length(); ) {
            int codePoint = text.codePointAt(i);
            i += Character.charCount(codePoint);
            if (codePoint != '\n' && Character.isISOControl(codePoint)) {
                continue;
            }
            int size = codePoint < 0x80 ? 1 : codePoint < 0x800 ? 2 : codePoint < 0x10000 ? 3 : 4;
            if (bytes + size > MAX_BYTES) {
                break;
            }
            bytes += size;
            kept.appendCodePoint(codePoint);
        }
        return kept.toString();
    }
}
