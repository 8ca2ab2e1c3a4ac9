package com.wechathub.wechat.api;

import com.wechathub.wechat.WechatProperties;
import com.wechathub.wechat.WechatProperties.Account;
import java.util.LinkedHashMap;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Component;

/**
 * WeChat's API for an account with an app-secret (SPEC §10): every call carries the cluster's
 * access token. When WeChat says the token is invalid, superseded or expired (40001, 40014,
 * 42001), the token is dropped — only if it is still the one this call used — a token is fetched
 * again and the call is retried once; never more. Any other errcode is the call's failure.
 */
@Component("wechatApi")
public class WechatApi {

    public static final String USER_INFO = "/cgi-bin/user/info";
    public static final String CUSTOM_SEND = "/cgi-bin/message/custom/send";
    public static final String CUSTOM_TYPING = "/cgi-bin/message/custom/typing";

    private static final Logger log = LoggerFactory.getLogger(WechatApi.class);

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

    /** Any API call of the account ({@code path} under wechat.api.base-url), with the token handling above. */
    public Map<String, Object> call(String account, String method, String path, Map<String, String> query, Object body) {
        if (!enabled(account)) {
            throw new WechatApiException(path, null, "account " + account + " has no app-secret, so it cannot call WeChat's API");
        }
        String token = tokens.token(account);
        try {
            return calls.send(account, method, path, withToken(query, token), body);
        } catch (WechatApiException refused) {
            if (!refused.isTokenError()) {
                throw refused;
            }
            log.info("WeChat refused the access token of account {} on {} (errcode {}); fetching another, retrying once",
                    account, path, refused.errcode());
            tokens.invalidate(account, token);
            String fresh = tokens.token(account);
            try {
                return calls.send(account, method, path, withToken(query, fresh), body);
            } catch (WechatApiException again) {
                if (again.isTokenError()) {
                    tokens.invalidate(account, fresh);
                }
                throw again; // no second retry: a refresh loop helps nobody (wechatpy #152)
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
