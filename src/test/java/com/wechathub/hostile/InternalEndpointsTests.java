package com.wechathub.hostile;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.wechathub.support.HubIntegrationTest;
import java.io.IOException;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.NetworkInterface;
import java.net.Socket;
import java.net.SocketException;
import java.util.Collections;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.core.env.Environment;

/**
 * What is internal stays internal (docs/security.md): Actuator's port (health with every detail, metrics)
 * listens on 127.0.0.1 only, and the stand-in CRM and WeChat API of the default profile do not
 * exist in prod, where anyone could otherwise read the calls they recorded or mint tokens.
 */
class InternalEndpointsTests extends HubIntegrationTest {

    @Autowired Environment environment;

    /** This machine's addresses other than loopback: where a neighbour on the network would connect. */
    static List<InetAddress> otherLocalAddresses() throws SocketException {
        return Collections.list(NetworkInterface.getNetworkInterfaces()).stream()
                .filter(nic -> {
                    try {
                        return nic.isUp() && !nic.isLoopback();
                    } catch (SocketException e) {
                        return false;
                    }
                })
                .flatMap(nic -> Collections.list(nic.getInetAddresses()).stream())
                .filter(address -> address instanceof Inet4Address && !address.isLoopbackAddress())
                .toList();
    }

    static void connect(InetAddress address, int port) throws IOException {
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress(address, port), 2000);
        }
    }

    @Test
    void theManagementPortListensOnLoopbackOnly() throws IOException {
        assertThat(environment.getProperty("management.server.address")).isEqualTo("127.0.0.1");
        assertThat(management.get("/actuator/health").statusCode()).isEqualTo(200);

        List<InetAddress> others = otherLocalAddresses();
        // On a machine with loopback alone, the bound address above is all that can be checked.
        for (InetAddress address : others) {
            connect(address, port); // the callback port is reachable there: the address works
            assertThatThrownBy(() -> connect(address, managementPort)).as("management port on %s", address)
                    .isInstanceOf(IOException.class);
        }
    }

    @Test
    void theStandInsAreNotServedInProd() {
        assertThat(client.get("/stand-in/crm/calls").statusCode()).isEqualTo(404);
        assertThat(client.get("/stand-in/wechat/messages").statusCode()).isEqualTo(404);
        assertThat(client.post("/stand-in/wechat/cgi-bin/stable_token",
                "{\"grant_type\":\"client_credential\",\"appid\":\"wx0000000000000demo\",\"secret\":\"stand-in-secret\"}").statusCode())
                .isEqualTo(404);
        assertThat(client.post("/stand-in/crm/bindings/demo/o1", "{}").statusCode()).isEqualTo(404);
    }
}
