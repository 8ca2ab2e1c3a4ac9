package com.wechathub.wechat.api;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.stream.Collectors;
import org.apache.camel.Exchange;
import org.apache.camel.ProducerTemplate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Component;

/**
 * One HTTP exchange with WeChat's API, through routes/wechat-api.camel.yaml (which holds the
 * endpoint, {{wechat.api.base-url}}, and its timeouts). Every answer is HTTP 200 with JSON; an
 * errcode other than 0 is a {@link WechatApiException}, counted by account, API and errcode.
 */
@Component
class WechatApiCalls {

    static final String ROUTE = "direct:wechat-api";

    private static final Logger log = LoggerFactory.getLogger(WechatApiCalls.class);
    private static final TypeReference<LinkedHashMap<String, Object>> MAP = new TypeReference<>() { };

    private final ProducerTemplate producer;
    private final ObjectMapper json;
    private final MeterRegistry registry;

    WechatApiCalls(ProducerTemplate producer, ObjectMapper json, MeterRegistry registry) {
        this.producer = producer;
        this.json = json;
        this.registry = registry;
    }

    /** {@code GET|POST <base-url><path>?<query>}, the body (if any) as JSON; WeChat's answer as a map. */
    Map<String, Object> send(String account, String method, String path, Map<String, String> query, Object body) {
        String requestBody;
        try {
            requestBody = body == null ? null : json.writeValueAsString(body);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("cannot write the body of " + path, e);
        }
        Exchange answer = producer.send(ROUTE, exchange -> {
            var message = exchange.getMessage();
            message.setHeader(Exchange.HTTP_METHOD, method);
            message.setHeader(Exchange.HTTP_PATH, path);
            if (!query.isEmpty()) {
                message.setHeader(Exchange.HTTP_QUERY, query(query));
            }
            if (requestBody != null) {
                message.setHeader(Exchange.CONTENT_TYPE, "application/json;charset=UTF-8");
                message.setBody(requestBody);
            } else {
                message.setBody(null);
            }
        });
        if (answer.getException() != null) {
            Throwable root = answer.getException();
            while (root.getCause() != null && root.getCause() != root) {
                root = root.getCause();
            }
            count(account, path, "unreachable");
            throw new WechatApiException(path, null, "WeChat's API did not answer: " + root.getClass().getSimpleName()
                    + (root.getMessage() == null ? "" : ": " + root.getMessage()));
        }
        int status = answer.getMessage().getHeader(Exchange.HTTP_RESPONSE_CODE, 0, Integer.class);
        String text = answer.getMessage().getBody(String.class);
        if (status != 200) {
            count(account, path, "http_" + status);
            throw new WechatApiException(path, null, "WeChat's API answered HTTP " + status);
        }
        Map<String, Object> result;
        try {
            result = text == null || text.isBlank() ? Map.of() : json.readValue(text, MAP);
        } catch (JsonProcessingException e) {
            count(account, path, "not_json");
            throw new WechatApiException(path, null, "WeChat's API answered something that is not JSON");
        }
        if (result.get("errcode") instanceof Number errcode && errcode.intValue() != 0) {
            WechatApiException refused = new WechatApiException(path, errcode.intValue(),
                    "WeChat refused it: errcode " + errcode + " (" + result.get("errmsg") + ")");
            count(account, path, errcode.toString());
            if (refused.kind() == WechatErrors.Kind.QUOTA || refused.kind() == WechatErrors.Kind.CONFIGURATION) {
                // errmsg names the caller's IP for 40164: the operator needs it for the allow-list
                log.warn("WeChat refused account {} on {}: errcode {}, {} ({}); backing off", account, path, errcode,
                        WechatErrors.meaning(errcode.intValue()), WechatApiException.redact(String.valueOf(result.get("errmsg"))));
            }
            throw refused;
        }
        return result;
    }

    private void count(String account, String path, String errcode) {
        Counter.builder("wechat.api.errors")
                .description("Calls to WeChat's API that failed, by account, API and errcode (45009/45011: quota)")
                .tag("account", account).tag("api", path).tag("errcode", errcode)
                .tag("kind", WechatErrors.kind(errcode.matches("-?\\d+") ? Integer.valueOf(errcode) : null).name().toLowerCase())
                .register(registry).increment();
    }

    private static String query(Map<String, String> query) {
        return query.entrySet().stream()
                .map(e -> URLEncoder.encode(e.getKey(), StandardCharsets.UTF_8) + "=" + URLEncoder.encode(e.getValue(), StandardCharsets.UTF_8))
                .collect(Collectors.joining("&"));
    }
}
