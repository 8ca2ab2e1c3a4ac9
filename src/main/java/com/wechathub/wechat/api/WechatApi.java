package com.wechathub.wechat.api;

import com.wechathub.wechat.WechatProperties;
import com.wechathub.wechat.WechatProperties.Account;
import java.util.LinkedHashMap;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Component;

/**
 * WeChat's API for an account with an app-secret (docs/wechat.md): every call carries the
 * cluster's access token, and each kind of refusal ({@link WechatErrors}) has one behaviour here:
 * busy (-1) is asked again after a short backoff; a refused token (40001, 40014, 42001) is
 * replaced — only if it is still the one this call used — and the call retried once, never more;
 * a configuration error or a used-up quota makes every node leave the AppID (or the API) alone
 * for a while ({@link AccessTokens}); anything else is the call's failure, for its caller to
 * handle (final for a follower, degrade, or retry the event).
 */
@Component("wechatApi")
public class WechatApi {

    public static final String USER_INFO = "/cgi-bin/user/info";
    public static final String CUSTOM_SEND = "/cgi-bin/message/custom/send";
    public static final String CUSTOM_TYPING = "/cgi-bin/message/custom/typing";

    private static final Logger log = LoggerFactory.getLogger(WechatApi.class);
    /** Milliseconds before asking a busy WeChat again. */
    private static final long[] BUSY_RETRIES = {200, 600};

    private final AccessTokens tokens;
    private final WechatApiCalls calls;
    private final WechatProperties accounts;

    WechatApi(AccessTokens tokens, WechatApiCalls calls, WechatProperties accounts) {
        this.tokens = tokens;
        this.calls = calls;
        this.accounts = accounts;
    }

    /** Whether the account may call WeChat's API (it has an app-secret). */
    public boolean enabled(String account) {
        return accounts.account(account).map(Account::callsApi).orElse(false);
    }

    /** {@code GET /cgi-bin/user/info?openid=O&lang=zh_CN}: subscribe, unionid, subscribe_scene, qr_scene_str, … */
    public Map<String, Object> userInfo(String account, String openId) {
        Map<String, String> query = new LinkedHashMap<>();
        query.put("openid", openId);
        query.put("lang", "zh_CN");
        return call(account, "GET", USER_INFO, query, null);
    }

    /** {@code POST /cgi-bin/message/custom/send}: a customer-service message, e.g. a late reply. */
    public Map<String, Object> sendMessage(String account, Map<String, Object> message) {
        return call(account, "POST", CUSTOM_SEND, Map.of(), message);
    }

    /** {@code POST /cgi-bin/message/custom/typing}: the follower sees "typing" for up to 15 s. */
    public Map<String, Object> typing(String account, String openId) {
        Map<String, Object> typing = new LinkedHashMap<>();
        typing.put("touser", openId);
        typing.put("command", "Typing");
        return call(account, "POST", CUSTOM_TYPING, Map.of(), typing);
    }

    /** {@code POST /cgi-bin/message/custom/typing} with {@code CancelTyping}: "typing" ends when nothing is coming. */
    public Map<String, Object> cancelTyping(String account, String openId) {
        Map<String, Object> typing = new LinkedHashMap<>();
        typing.put("touser", openId);
        typing.put("command", "CancelTyping");
        return call(account, "POST", CUSTOM_TYPING, Map.of(), typing);
    }

    /** Any API call of the account ({@code path} under wechat.api.base-url), with the token handling above. */
    public Map<String, Object> call(String account, String method, String path, Map<String, String> query, Object body) {
        if (!enabled(account)) {
            throw new WechatApiException(path, null, "account " + account + " has no app-secret, so it cannot call WeChat's API");
        }
        tokens.checkNotBackingOff(account, path);
        String token = tokens.token(account);
        try {
            try {
                return sendWhileBusy(account, method, path, withToken(query, token), body);
            } catch (WechatApiException refused) {
                if (!refused.isTokenError()) {
                    throw refused;
                }
                log.info("WeChat refused the access token of account {} on {} (errcode {}); getting another, retrying once",
                        account, path, refused.errcode());
                String fresh = tokens.replaceRefused(account, token);
                return sendWhileBusy(account, method, path, withToken(query, fresh), body); // no second retry (wechatpy #152)
            }
        } catch (WechatApiException refused) {
            throw tokens.remember(account, path, refused); // configuration and quota: every node backs off
        }
    }

    /** WeChat busy (-1): asked again after a short backoff, twice; then the call fails and its caller retries later. */
    private Map<String, Object> sendWhileBusy(String account, String method, String path, Map<String, String> query, Object body) {
        for (int attempt = 0; ; attempt++) {
            try {
                return calls.send(account, method, path, query, body);
            } catch (WechatApiException e) {
                if (e.errcode() == null || e.kind() != WechatErrors.Kind.TRANSIENT || attempt >= BUSY_RETRIES.length) {
                    throw e;
                }
                try {
                    Thread.sleep(BUSY_RETRIES[attempt]);
                } catch (InterruptedException interrupted) {
                    Thread.currentThread().interrupt();
                    throw e;
                }
            }
        }
    }

    private static Map<String, String> withToken(Map<String, String> query, String token) {
        Map<String, String> all = new LinkedHashMap<>();
        all.put("access_token", token);
        all.putAll(query);
        return all;
    }
}
