package com.wechathub.wechat.api;

import java.util.Set;
import java.util.regex.Pattern;

/**
 * WeChat's API refused a call (an errcode other than 0), answered something that is not its API,
 * or could not be reached. The message never carries the access token or the app secret.
 */
public class WechatApiException extends RuntimeException {

    /** Token invalid or not the latest, invalid, expired: drop the token, fetch another, retry once. */
    static final Set<Integer> TOKEN_ERRORS = Set.of(40001, 40014, 42001);
    /** Daily and per-minute quota: logged and counted. */
    static final Set<Integer> QUOTA_ERRORS = Set.of(45009, 45011);

    private static final Pattern SECRETS = Pattern.compile("(access_token|secret)=[^&\\s\"]*");

    private final Integer errcode;
    private final String api;

    WechatApiException(String api, Integer errcode, String message) {
        super(api + ": " + redact(message));
        this.api = api;
        this.errcode = errcode;
    }

    /** WeChat's errcode, or null when WeChat did not answer with one (HTTP error, timeout, …). */
    public Integer errcode() {
        return errcode;
    }

    public String api() {
        return api;
    }

    public boolean isTokenError() {
        return errcode != null && TOKEN_ERRORS.contains(errcode);
    }

    public boolean isQuotaError() {
        return errcode != null && QUOTA_ERRORS.contains(errcode);
    }

    static String redact(String text) {
        return text == null ? "" : SECRETS.matcher(text).replaceAll("$1=***");
    }
}
