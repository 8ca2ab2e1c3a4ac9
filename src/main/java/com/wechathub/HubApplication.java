package com.wechathub;

import com.wechathub.accounts.ConfigValidation;
import com.wechathub.routefiles.RouteValidation;
import com.wechathub.simulator.Simulator;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;

@SpringBootApplication
public class HubApplication {

    public static void main(String[] args) {
        if (ConfigValidation.requested(args)) {
            System.exit(ConfigValidation.run(args));
        }
        if (RouteValidation.requested(args)) {
            System.exit(RouteValidation.run(HubApplication.class, args));
        }
        if (Simulator.requested(args)) {
            System.exit(Simulator.run(args));
        }
        SpringApplication.run(HubApplication.class, args);
    }
}
