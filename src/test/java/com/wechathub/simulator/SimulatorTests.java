package com.wechathub.simulator;

import static org.assertj.core.api.Assertions.assertThat;

import com.wechathub.support.HubIntegrationTest;
import com.wechathub.support.PushClient;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The simulator against the running hub, plain and in safe mode. */
class SimulatorTests extends HubIntegrationTest {

    final ByteArrayOutputStream printed = new ByteArrayOutputStream();

    int simulate(String... options) {
        // the tests' demo account: the simulator's defaults are the default profile's example account
        Map<String, String> parsed = new HashMap<>(Map.of("url", "http://127.0.0.1:" + port, "openid", openId,
                "token", PushClient.TOKEN, "aes-key", PushClient.AES_KEY));
        for (String option : options) {
            String[] pair = option.split("=", 2);
            parsed.put(pair[0], pair.length > 1 ? pair[1] : "true");
        }
        return new Simulator(parsed, new PrintStream(printed, true, StandardCharsets.UTF_8)).send();
    }

    String output() {
        return printed.toString(StandardCharsets.UTF_8);
    }

    @Test
    void sendsASignedPlainPushTwiceAndPrintsBothAnswers() {
        int exit = simulate("simulate=subscribe", "times=2");

        assertThat(exit).isZero();
        assertThat(output().lines()).hasSize(2).allSatisfy(line -> assertThat(line).startsWith("200 ").contains("Welcome!"));
        assertThat(state.eventCount(openId)).isEqualTo(1);
    }

    @Test
    void sendsAnEncryptedPushAndDecryptsTheReply() {
        int exit = simulate("simulate=click", "encrypt");

        assertThat(exit).isZero();
        assertThat(output()).startsWith("200 (decrypted) <xml>").contains("Today's pick");
        assertThat(state.events(openId)).singleElement().satisfies(row -> assertThat(row).containsEntry("event", "CLICK"));
    }

    @Test
    void sendsParallelCopiesThatBecomeOneEvent() {
        assertThat(simulate("simulate=location", "parallel=5")).isZero();
        assertThat(output().lines()).hasSize(5).allMatch(line -> line.equals("200 success"));
        assertThat(state.eventCount(openId)).isEqualTo(1);
    }

    @Test
    void reportsAFailureWithANonZeroExit() {
        assertThat(simulate("simulate=view", "token=wrong-token")).isEqualTo(1);
        assertThat(output()).startsWith("403 ");
    }

    @Test
    void knowsEverySeedShape() {
        for (String event : Simulator.EVENTS) {
            assertThat(new Simulator(Map.of(), System.out).push(event)).startsWith("<xml>").contains("<CreateTime>");
        }
    }
}
