package com.wechathub.campaign;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.wechathub.wechat.Rejection;
import com.wechathub.wechat.WechatProperties;
import com.wechathub.wechat.WechatProperties.Account;
import com.wechathub.wechat.api.WechatApi;
import com.wechathub.wechat.api.WechatApiException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.camel.Exchange;
import org.springframework.stereotype.Component;

/**
 * The account's menu as configured and as WeChat has it (docs/wechat.md, "The menu and scene-QR campaigns"): publish with
 * {@code menu/create}, compare with {@code get_current_selfmenu_info}.
 */
@Component("accountMenus")
public class AccountMenus {

    static final String MENU_CREATE = "/cgi-bin/menu/create";
    static final String CURRENT_MENU = "/cgi-bin/get_current_selfmenu_info";
    /** What a button is in both answers; get_current_selfmenu_info adds more for menus made on WeChat's site (news_info, value). */
    private static final List<String> FIELDS = List.of("type", "name", "key", "url", "media_id", "article_id", "appid", "pagepath");

    private final WechatProperties accounts;
    private final WechatApi api;
    private final ObjectMapper json;

    AccountMenus(WechatProperties accounts, WechatApi api, ObjectMapper json) {
        this.accounts = accounts;
        this.api = api;
        this.json = json;
    }

    /** POST /admin/accounts/{id}/menu/publish → WeChat's answer to menu/create. */
    public String publish(Exchange exchange) throws JsonProcessingException {
        String id = exchange.getMessage().getHeader("id", String.class);
        Account account = account(id);
        if (account.menu() == null) {
            throw new Rejection(409, "admin_conflict", "account " + id + " has no menu configured (wechat.accounts." + id + ".menu)");
        }
        Map<String, Object> answer = call(id, "POST", MENU_CREATE, account.menu().toWechat());
        return answerJson(exchange, answer);
    }

    /** GET /admin/accounts/{id}/menu → {configured, inWeChat, same}. */
    public String compare(Exchange exchange) throws JsonProcessingException {
        String id = exchange.getMessage().getHeader("id", String.class);
        Account account = account(id);
        Map<String, Object> configured = account.menu() == null ? null : account.menu().toWechat();
        Map<String, Object> inWechat = inWechat(call(id, "GET", CURRENT_MENU, null));
        Map<String, Object> answer = new LinkedHashMap<>();
        answer.put("configured", configured);
        answer.put("inWeChat", inWechat);
        answer.put("same", json.valueToTree(configured == null ? Map.of() : configured)
                .equals(json.valueToTree(inWechat == null ? Map.of() : inWechat)));
        return answerJson(exchange, answer);
    }

    /** get_current_selfmenu_info in menu/create's shape: sub_button {list: […]} → […], known fields only; null when no menu is on. */
    @SuppressWarnings("unchecked")
    static Map<String, Object> inWechat(Map<String, Object> answer) {
        if (!(answer.get("selfmenu_info") instanceof Map<?, ?> info) || Integer.valueOf(0).equals(answer.get("is_menu_open"))) {
            return null;
        }
        List<Object> buttons = info.get("button") instanceof List<?> list ? (List<Object>) list : List.of();
        return Map.of("button", buttons.stream().map(b -> button((Map<String, Object>) b)).toList());
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> button(Map<String, Object> button) {
        Map<String, Object> out = new LinkedHashMap<>();
        FIELDS.forEach(field -> {
            if (button.get(field) != null) {
                out.put(field, button.get(field));
            }
        });
        Object sub = button.get("sub_button");
        if (sub instanceof Map<?, ?> wrapped) {
            sub = wrapped.get("list");
        }
        if (sub instanceof List<?> list && !list.isEmpty()) {
            out.put("sub_button", list.stream().map(b -> button((Map<String, Object>) b)).toList());
        }
        return out;
    }

    private Account account(String id) {
        return accounts.account(id).orElseThrow(() -> new Rejection(404, "admin_not_found", "no such account"));
    }

    private Map<String, Object> call(String id, String method, String path, Object body) {
        try {
            return api.call(id, method, path, Map.of(), body);
        } catch (WechatApiException e) {
            throw new Rejection(api.enabled(id) ? 502 : 409, "admin_wechat", "WeChat did not answer as hoped: " + e.getMessage());
        }
    }

    private String answerJson(Exchange exchange, Object value) throws JsonProcessingException {
        exchange.getMessage().setHeader(Exchange.CONTENT_TYPE, "application/json");
        return json.writeValueAsString(value);
    }
}
