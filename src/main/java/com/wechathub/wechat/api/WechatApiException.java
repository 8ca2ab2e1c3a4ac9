package com.wechathub.wechat.api;

import com.wechathub.inbox.NotBefore;
import java.time.Instant;
import java.util.regex.Pattern;

/**
 * WeChat's API refused a call (an errcode other than 0), answered something that is not its API,
 * or could not be reached. The message never carries the access token or the app secret.
 */
public class WechatApiException extends RuntimeException implements NotBefore {

    private static final Pattern SECRETS = Pattern.compile("(access_token|secret)=[^&\\s\"]*");

    private final Integer errcode;
    private final String api;
    private final Instant notBefore;

    WechatApiException(String api, Integer errcode, String message) {
        this(api, errcode, message, null);
    }

    private WechatApiException(String api, Integer errcode, String message, Instant notBefore) {
        super(api + ": " + redact(message));
        this.api = api;
        this.errcode = errcode;
        this.notBefore = notBefore;
    }

    /** The same failure, saying that every node leaves the AppID alone until {@code until} (a configuration error). */
    WechatApiException backingOffUntil(Instant until) {
        WechatApiException deferred = new WechatApiException(api, errcode, getMessage().substring(api.length() + 2), until);
        deferred.setStackTrace(getStackTrace());
        return deferred;
    }

    /** Until when WeChat's backoff of the account's AppID lasts (configuration errors only), else null. */
    @Override
    public Instant notBefore() {
        return notBefore;
    }

    /** WeChat's errcode, or null when WeChat did not answer with one (HTTP error, timeout, …). */
    public Integer errcode() {
        return errcode;
    }

    public String api() {
        return api;
    }

    /** What the failure means for the hub ({@link WechatErrors}): each kind has one behaviour. */
    public WechatErrors.Kind kind() {
        return WechatErrors.kind(errcode);
    }

    public boolean isTokenError() {
        return kind() == WechatErrors.Kind.TOKEN;
    }

    public boolean isQuotaError() {
        return kind() == WechatErrors.Kind.QUOTA;
    }

    static String redact(String text) {
        return text == null ? "" : SECRETS.matcher(text).replaceAll("$1=***");
    }
}
