package com.wechathub.wechat;

import static org.assertj.core.api.Assertions.assertThat;

import com.wechathub.inbox.Inbox;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The widths WechatEvent refuses a push by are the widths of the columns its fields are stored in,
 * as the migrations of each database leave them: a migration that narrows or widens a column
 * fails here until the constant follows.
 */
class WechatEventWidthsTests {

    private static final Pattern CREATE = Pattern.compile("CREATE TABLE (\\w+) \\((.*?)\\n\\)", Pattern.DOTALL);
    private static final Pattern COLUMN = Pattern.compile("^\\s*`?(\\w+)`?\\s+VARCHAR\\((\\d+)\\)", Pattern.MULTILINE);
    private static final Pattern ADD = Pattern.compile("ALTER TABLE (\\w+) ADD COLUMN (\\w+) VARCHAR\\((\\d+)\\)");
    private static final Pattern RENAME = Pattern.compile("ALTER TABLE (\\w+) RENAME COLUMN (\\w+) TO (\\w+)");

    @ParameterizedTest
    @ValueSource(strings = {"db/migration", "db/migration-mysql"})
    void eachWidthIsItsColumns(String folder) throws IOException {
        Map<String, Integer> widths = columnWidths(Path.of("src/main/resources", folder));

        assertThat(widths).containsEntry("wechat_event.open_id", WechatEvent.OPEN_ID_WIDTH)
                .containsEntry("wechat_follower.open_id", WechatEvent.OPEN_ID_WIDTH)
                .containsEntry("wechat_event.msg_type", WechatEvent.MSG_TYPE_WIDTH)
                .containsEntry("wechat_event.event", WechatEvent.EVENT_WIDTH)
                .containsEntry("wechat_event.event_key", WechatEvent.EVENT_KEY_WIDTH)
                .containsEntry("wechat_follower.scene", WechatEvent.SCENE_WIDTH)
                .containsEntry("wechat_follower.last_scene", WechatEvent.SCENE_WIDTH);
    }

    /** An event's history keeps its errors, ids and nodes as wide as the event's own columns. */
    @ParameterizedTest
    @ValueSource(strings = {"db/migration", "db/migration-mysql"})
    void theHistoryKeepsWhatTheEventKeeps(String folder) throws IOException {
        Map<String, Integer> widths = columnWidths(Path.of("src/main/resources", folder));

        assertThat(widths).containsEntry("wechat_event.last_error", Inbox.ERROR_WIDTH)
                .containsEntry("wechat_event_history.error", Inbox.ERROR_WIDTH)
                .containsEntry("wechat_event_history.event_id", widths.get("wechat_event.id"))
                .containsEntry("wechat_event_history.node", widths.get("wechat_event.claimed_by"));
    }

    /** table.column → VARCHAR width, after every migration of the folder in version order. */
    static Map<String, Integer> columnWidths(Path folder) throws IOException {
        List<Path> scripts;
        try (Stream<Path> files = Files.list(folder)) {
            scripts = files.filter(p -> p.getFileName().toString().endsWith(".sql"))
                    .sorted((a, b) -> Integer.compare(version(a), version(b))).toList();
        }
        Map<String, Integer> widths = new HashMap<>();
        for (Path script : scripts) {
            String sql = Files.readString(script).replaceAll("--[^\\n]*", "");
            Matcher create = CREATE.matcher(sql);
            while (create.find()) {
                Matcher column = COLUMN.matcher(create.group(2));
                while (column.find()) {
                    widths.put(create.group(1) + "." + column.group(1).toLowerCase(Locale.ROOT), Integer.valueOf(column.group(2)));
                }
            }
            Matcher add = ADD.matcher(sql);
            while (add.find()) {
                widths.put(add.group(1) + "." + add.group(2), Integer.valueOf(add.group(3)));
            }
            Matcher rename = RENAME.matcher(sql);
            while (rename.find()) {
                Integer width = widths.remove(rename.group(1) + "." + rename.group(2));
                if (width != null) {
                    widths.put(rename.group(1) + "." + rename.group(3), width);
                }
            }
        }
        return widths;
    }

    private static int version(Path script) {
        return Integer.parseInt(script.getFileName().toString().replaceAll("^V(\\d+)__.*", "$1"));
    }
}
