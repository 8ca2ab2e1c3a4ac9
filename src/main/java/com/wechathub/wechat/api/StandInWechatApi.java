package com.wechathub.wechat.api;

import com.wechathub.wechat.WechatProperties;
import java.awt.Color;
import java.awt.Font;
import java.awt.Graphics2D;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.Base64;
import java.util.BitSet;
import java.util.Deque;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import javax.imageio.ImageIO;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.annotation.Profile;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

/**
 * A stand-in for WeChat's API, so the embedded default profile shows every feature of docs/wechat.md
 * with nothing else installed: it issues access tokens ({@code stable_token}, for an account's
 * app-id and app-secret), answers {@code user/info} with a made-up UnionID, and accepts
 * customer-service messages and "typing", listing the last 200 at
 * {@code GET /stand-in/wechat/messages}. For campaigns and the menu (docs/wechat.md, "The menu and scene-QR campaigns") it makes scene QR
 * codes ({@code qrcode/create}: a made-up ticket and url), draws their images ({@code showqrcode}:
 * a PNG that looks like a QR code, derived from the ticket and marked STAND-IN, which no phone
 * can scan), and keeps the menu {@code menu/create} was given, answering it in
 * {@code get_current_selfmenu_info}'s shape. Everything is kept in memory. Exists only in the
 * default profile; prod points wechat.api.base-url at https://api.weixin.qq.com and
 * wechat.api.qrcode-base-url at https://mp.weixin.qq.com.
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
    private final Map<String, Map<String, Object>> menus = new ConcurrentHashMap<>(); // appid → menu/create's body
    private final SecureRandom random = new SecureRandom();

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

    /**
     * qrcode/create: a ticket shaped like WeChat's (Base64, with '+', '/' and '='), a url on
     * weixin.qq.com/q/ that leads nowhere, and expire_seconds echoed for a temporary code.
     */
    @PostMapping("/cgi-bin/qrcode/create")
    Map<String, Object> qrcodeCreate(@RequestParam("access_token") String token, @RequestBody Map<String, Object> request) {
        if (!issued.contains(token)) {
            return error(40001, "invalid credential, access_token is invalid or not latest");
        }
        Object action = request.get("action_name");
        boolean temporary = "QR_STR_SCENE".equals(action) || "QR_SCENE".equals(action);
        if (!temporary && !"QR_LIMIT_STR_SCENE".equals(action) && !"QR_LIMIT_SCENE".equals(action)) {
            return error(40053, "invalid action_name");
        }
        byte[] made = new byte[45];
        random.nextBytes(made);
        Map<String, Object> answer = new LinkedHashMap<>();
        answer.put("ticket", Base64.getEncoder().encodeToString(made));
        if (temporary) {
            answer.put("expire_seconds", request.get("expire_seconds") instanceof Number n ? n.longValue() : 60);
        }
        answer.put("url", "http://weixin.qq.com/q/stand-in-" + HexFormat.of().formatHex(made, 0, 12));
        log.info("Stand-in WeChat API made a {} QR code", temporary ? "temporary" : "permanent");
        return answer;
    }

    /** showqrcode?ticket=: a PNG drawn from the ticket (the same ticket, the same picture). */
    @GetMapping("/cgi-bin/showqrcode")
    ResponseEntity<byte[]> showQrcode(@RequestParam(required = false) String ticket) {
        if (ticket == null || ticket.isBlank()) {
            return ResponseEntity.status(404).contentType(MediaType.TEXT_PLAIN).body("no ticket".getBytes(StandardCharsets.UTF_8));
        }
        return ResponseEntity.ok().contentType(MediaType.IMAGE_PNG).body(qrLookingPicture(ticket));
    }

    /** menu/create: kept (in memory) for the app-id the token was issued to. */
    @PostMapping("/cgi-bin/menu/create")
    Map<String, Object> menuCreate(@RequestParam("access_token") String token, @RequestBody Map<String, Object> menu) {
        String appId = appIdOf(token);
        if (appId == null) {
            return error(40001, "invalid credential, access_token is invalid or not latest");
        }
        if (!(menu.get("button") instanceof List<?> buttons) || buttons.isEmpty() || buttons.size() > 3) {
            return error(40016, "invalid button size");
        }
        menus.put(appId, menu);
        log.info("Stand-in WeChat API keeps a menu of {} button(s) for {}", buttons.size(), appId);
        return error(0, "ok");
    }

    /**
     * get_current_selfmenu_info: the kept menu in that API's shape, which differs from
     * menu/create's: a button's sub-buttons are wrapped, {@code sub_button: {list: […]}}.
     */
    @GetMapping("/cgi-bin/get_current_selfmenu_info")
    Map<String, Object> currentMenu(@RequestParam("access_token") String token) {
        String appId = appIdOf(token);
        if (appId == null) {
            return error(40001, "invalid credential, access_token is invalid or not latest");
        }
        Map<String, Object> menu = menus.get(appId);
        if (menu == null) {
            return Map.of("is_menu_open", 0);
        }
        Map<String, Object> info = new LinkedHashMap<>();
        info.put("button", ((List<?>) menu.get("button")).stream().map(StandInWechatApi::selfmenuButton).toList());
        return Map.of("is_menu_open", 1, "selfmenu_info", info);
    }

    private static Object selfmenuButton(Object button) {
        if (!(button instanceof Map<?, ?> fields)) {
            return button;
        }
        Map<Object, Object> out = new LinkedHashMap<>(fields);
        if (fields.get("sub_button") instanceof List<?> sub) {
            out.put("sub_button", Map.of("list", sub.stream().map(StandInWechatApi::selfmenuButton).toList()));
        }
        return out;
    }

    private String appIdOf(String token) {
        return tokens.entrySet().stream().filter(e -> e.getValue().equals(token)).map(Map.Entry::getKey).findFirst().orElse(null);
    }

    /**
     * A picture in a QR code's style — three finder squares and modules from the ticket's SHA-256 —
     * with STAND-IN written across it: clearly not a code a phone could scan.
     */
    static byte[] qrLookingPicture(String ticket) {
        final int modules = 29;
        final int scale = 8;
        final int quiet = 4;
        int size = (modules + 2 * quiet) * scale;
        BitSet bits = new BitSet();
        try {
            byte[] seed = ticket.getBytes(StandardCharsets.UTF_8);
            MessageDigest sha = MessageDigest.getInstance("SHA-256");
            for (int block = 0; block * 256 < modules * modules; block++) {
                sha.update(seed);
                sha.update((byte) block);
                byte[] digest = sha.digest();
                BitSet more = BitSet.valueOf(digest);
                for (int i = 0; i < digest.length * 8; i++) {
                    bits.set(block * 256 + i, more.get(i));
                }
            }
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
        BufferedImage image = new BufferedImage(size, size, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = image.createGraphics();
        try {
            g.setColor(Color.WHITE);
            g.fillRect(0, 0, size, size);
            g.setColor(Color.BLACK);
            for (int y = 0; y < modules; y++) {
                for (int x = 0; x < modules; x++) {
                    if (!inFinder(x, y, modules) && bits.get(y * modules + x)) {
                        g.fillRect((quiet + x) * scale, (quiet + y) * scale, scale, scale);
                    }
                }
            }
            for (int[] corner : new int[][] {{0, 0}, {modules - 7, 0}, {0, modules - 7}}) {
                int x = (quiet + corner[0]) * scale;
                int y = (quiet + corner[1]) * scale;
                g.fillRect(x, y, 7 * scale, 7 * scale);
                g.setColor(Color.WHITE);
                g.fillRect(x + scale, y + scale, 5 * scale, 5 * scale);
                g.setColor(Color.BLACK);
                g.fillRect(x + 2 * scale, y + 2 * scale, 3 * scale, 3 * scale);
            }
            int band = 4 * scale;
            g.setColor(new Color(0xB3261E));
            g.fillRect(0, (size - band) / 2, size, band);
            g.setColor(Color.WHITE);
            try {
                g.setFont(new Font(Font.SANS_SERIF, Font.BOLD, 2 * scale + 4));
                String label = "STAND-IN";
                int width = g.getFontMetrics().stringWidth(label);
                g.drawString(label, (size - width) / 2, size / 2 + scale);
            } catch (RuntimeException | InternalError noFonts) {
                // a JRE without fonts (a slim container): the red band alone says it is not a real code
            }
        } finally {
            g.dispose();
        }
        ByteArrayOutputStream png = new ByteArrayOutputStream();
        try {
            ImageIO.write(image, "png", png);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return png.toByteArray();
    }

    private static boolean inFinder(int x, int y, int modules) {
        boolean left = x < 8;
        boolean top = y < 8;
        return (left && top) || (x >= modules - 8 && top) || (left && y >= modules - 8);
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
        Map<String, Object> answer = new java.util.LinkedHashMap<>(); // errcode first, as WeChat writes it
        answer.put("errcode", errcode);
        answer.put("errmsg", errmsg);
        return answer;
    }
}
