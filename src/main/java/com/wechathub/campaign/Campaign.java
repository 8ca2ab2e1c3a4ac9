package com.wechathub.campaign;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * A scene-QR campaign of an account (docs/wechat.md, "The menu and scene-QR campaigns"): {@code wechat.accounts.<id>.campaigns[]}. Its
 * code carries {@code scene} as WeChat's scene_str: a follow through it arrives as a subscribe with
 * EventKey {@code qrscene_<scene>}, a scan by a follower as SCAN with EventKey {@code <scene>}.
 *
 * @param scene     WeChat's scene_str, 1–64 characters
 * @param name      what the CRM, the broker and the console call it
 * @param expires   a temporary code's lifetime (WeChat allows at most 30 days); or
 * @param permanent true for a permanent code (made once, ever: WeChat never deletes one)
 * @param welcome   the passive reply to a follow through the code (else the account's welcome)
 * @param scan      the passive reply to a scan by a follower
 * @param tags      words passed on with every event through the code
 */
public record Campaign(String scene, String name, Duration expires, Boolean permanent,
                       CampaignReply welcome, CampaignReply scan, @DefaultValue List<String> tags) {

    /** WeChat's limit on expire_seconds: 2,592,000 s. */
    public static final Duration LONGEST = Duration.ofDays(30);
    static final int SCENE_MAX = 64;
    private static final Pattern WORD = Pattern.compile("[\\p{L}\\p{N}_.-]+");

    public boolean isPermanent() {
        return Boolean.TRUE.equals(permanent);
    }

    public List<String> problems(String at) {
        List<String> problems = new ArrayList<>();
        if (scene == null || scene.isEmpty()) {
            problems.add(at + ".scene is missing: WeChat's scene_str, 1 to 64 characters");
        } else if (scene.codePointCount(0, scene.length()) > SCENE_MAX) {
            problems.add(at + ".scene: '" + scene + "' is longer than WeChat's 64 characters");
        }
        if (name == null || name.isBlank()) {
            problems.add(at + ".name is missing");
        }
        if (isPermanent() == (expires != null)) {
            problems.add(at + ": give either expires (a duration up to 30d, for a temporary code) or permanent: true");
        } else if (expires != null && (expires.isNegative() || expires.isZero() || expires.compareTo(LONGEST) > 0)) {
            problems.add(at + ".expires: " + expires + " is not between 1 second and 30 days (WeChat's limit)");
        }
        if (Boolean.FALSE.equals(permanent) && expires == null) {
            problems.add(at + ".permanent: only 'true' means something; a temporary code needs expires");
        }
        if (welcome != null) {
            problems.addAll(welcome.problems(at + ".welcome"));
        }
        if (scan != null) {
            problems.addAll(scan.problems(at + ".scan"));
        }
        for (int i = 0; i < tags.size(); i++) {
            String tag = tags.get(i);
            if (tag == null || !WORD.matcher(tag).matches()) {
                problems.add(at + ".tags[" + i + "]: '" + tag + "' is not a word (letters, digits, _ . -)");
            }
        }
        return problems;
    }
}
