package com.wechathub.wechat.api;

import com.wechathub.wechat.WechatProperties;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.annotation.Profile;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

/**
 * A stand-in for WeChat's API, so the embedded default profile shows every feature of SPEC §10
 * with nothing else installed: it issues access tokens ({@code stable_token}, for an account's
 * app-id and app-secret), answers {@code user/info} with a made-up UnionID, and accepts
 * customer-service messages and "typing", listing the last 200 at
 * {@code GET /stand-in/wechat/messages}. Exists only in the default profile; prod points
 * wechat.api.base-url at https://api.weixin.qq.com.
 */
@Profile("default")
@RestController
@RequestMapping("/stand-in/wechat")
class StandInWechatApi {

    private static final Logger log = LoggerFactory.getLogger(StandInWechatApi.class);

    private final WechatProperties properties;
    private final Map<String, String> tokens = new ConcurrentHashMap<>(); // appid → token
    private final Set<String> issued = ConcurrentHashMap.newKeySet();
    private final Deque<Map<String, Object>> messages = new ArrayDeque<>();

    StandInWechatApi(WechatProperties properties) {
        this.properties = properties;
    }

    @PostMapping("/cgi-bin/stable_token")
    Map<String, Object> stableToken(@RequestBody Map<String, Object> request) {
        boolean known = properties.accounts().values().stream().anyMatch(a -> a.callsApi()
                && a.appId().equals(request.get("appid")) && a.appSecret().equals(request.get("secret")));
        if (!known) {
            return error(40125, "invalid appsecret");
        }
        // Like WeChat in normal mode: the same token while it is valid.
        String token = tokens.computeIfAbsent((String) request.get("appid"), id -> "stand-in-" + UUID.randomUUID());
        issued.add(token);
        log.info("Stand-in WeChat API issued an access token for {}", request.get("appid"));
        return Map.of("access_token", token, "expires_in", 7200);
    }

    @GetMapping("/cgi-bin/user/info")
    Map<String, Object> userInfo(@RequestParam("access_token") String token, @RequestParam String openid) {
        if (!issued.contains(token)) {
            return error(40001, "invalid credential, access_token is invalid or not latest");
        }
        Map<String, Object> info = new LinkedHashMap<>();
        info.put("subscribe", 1);
        info.put("openid", openid);
        info.put("subscribe_time", Instant.now().getEpochSecond());
        info.put("unionid", "stand-in-union-" + HexFormat.of().formatHex(openid.getBytes()).substring(0, Math.min(16, 2 * openid.length())));
        info.put("subscribe_scene", "ADD_SCENE_QR_CODE");
        info.put("qr_scene", 0);
        info.put("qr_scene_str", "stand-in");
        return info;
    }

    @PostMapping("/cgi-bin/message/custom/send")
    Map<String, Object> send(@RequestParam("access_token") String token, @RequestBody Map<String, Object> message) {
        return record("custom/send", token, message);
    }

    @PostMapping("/cgi-bin/message/custom/typing")
    Map<String, Object> typing(@RequestParam("access_token") String token, @RequestBody Map<String, Object> message) {
        return record("custom/typing", token, message);
    }

    @GetMapping("/messages")
    synchronized List<Map<String, Object>> messages() {
        return List.copyOf(messages);
    }

    private synchronized Map<String, Object> record(String api, String token, Map<String, Object> body) {
        if (!issued.contains(token)) {
            return error(40001, "invalid credential, access_token is invalid or not latest");
        }
        Map<String, Object> entry = new LinkedHashMap<>();
        entry.put("at", Instant.now().toString());
        entry.put("api", api);
        entry.put("body", body);
        log.info("Stand-in WeChat API got {} for {}", api, body.get("touser"));
        messages.addFirst(entry);
        while (messages.size() > 200) {
            messages.removeLast();
        }
        return error(0, "ok");
    }

    private static Map<String, Object> error(int errcode, String errmsg) {
        return Map.of("errcode", errcode, "errmsg", errmsg);
    }
}
