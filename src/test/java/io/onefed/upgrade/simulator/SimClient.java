package io.onefed.upgrade.simulator;

import com.jcraft.jsch.ChannelExec;
import com.jcraft.jsch.ChannelSftp;
import com.jcraft.jsch.JSch;
import com.jcraft.jsch.JSchException;
import com.jcraft.jsch.Session;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import javax.xml.parsers.DocumentBuilderFactory;
import org.w3c.dom.Document;

/** Test client of the simulation: a real SSH client (JSch) with host key checking, and plain HTTP for XML-RPC. */
final class SimClient {

    record Result(int exit, String out, String err) {
    }

    private final SimulatedFederation sim;

    SimClient(SimulatedFederation sim) {
        this.sim = sim;
    }

    Session session(int zone, String server) throws JSchException {
        JSch jsch = new JSch();
        jsch.addIdentity(sim.clientPrivateKey().toString());
        jsch.setKnownHosts(sim.knownHosts().toString());
        Session s = jsch.getSession("root", "127.0.0.1", server == null ? sim.sshPort(zone) : sim.sshPort(zone, server));
        s.setConfig("StrictHostKeyChecking", "yes");
        s.setConfig("PreferredAuthentications", "publickey");
        s.connect(10_000);
        return s;
    }

    Result exec(int zone, String command) throws Exception {
        return exec(zone, null, command, null);
    }

    Result exec(int zone, String server, String command, String stdin) throws Exception {
        Session s = session(zone, server);
        try {
            ChannelExec ch = (ChannelExec) s.openChannel("exec");
            ch.setCommand(command);
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            ByteArrayOutputStream err = new ByteArrayOutputStream();
            ch.setOutputStream(out);
            ch.setErrStream(err);
            ch.setInputStream(stdin == null ? new ByteArrayInputStream(new byte[0])
                    : new ByteArrayInputStream(stdin.getBytes(StandardCharsets.UTF_8)));
            ch.connect(10_000);
            long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
            while (!ch.isClosed()) {
                if (System.nanoTime() > deadline) {
                    throw new AssertionError("command did not end within 60 s: " + command);
                }
                Thread.sleep(5);
            }
            return new Result(ch.getExitStatus(), out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
        } finally {
            s.disconnect();
        }
    }

    byte[] download(int zone, String path) throws Exception {
        return download(zone, null, path);
    }

    byte[] download(int zone, String server, String path) throws Exception {
        Session s = session(zone, server);
        try {
            ChannelSftp sftp = (ChannelSftp) s.openChannel("sftp");
            sftp.connect(10_000);
            try (InputStream in = sftp.get(path)) {
                return in.readAllBytes();
            } finally {
                sftp.disconnect();
            }
        } finally {
            s.disconnect();
        }
    }

    void upload(int zone, String path, byte[] content) throws Exception {
        upload(zone, null, path, content);
    }

    void upload(int zone, String server, String path, byte[] content) throws Exception {
        Session s = session(zone, server);
        try {
            ChannelSftp sftp = (ChannelSftp) s.openChannel("sftp");
            sftp.connect(10_000);
            try {
                sftp.put(new ByteArrayInputStream(content), path);
            } finally {
                sftp.disconnect();
            }
        } finally {
            s.disconnect();
        }
    }

    /** POSTs a methodCall and returns the raw response body. */
    static String rpc(String endpoint, String method, String... paramValues) throws Exception {
        StringBuilder b = new StringBuilder("<?xml version=\"1.0\"?><methodCall><methodName>").append(method)
                .append("</methodName><params>");
        for (String p : paramValues) {
            b.append("<param><value>").append(p).append("</value></param>");
        }
        b.append("</params></methodCall>");
        HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(endpoint)).timeout(Duration.ofSeconds(10))
                .header("Content-Type", "text/xml").POST(HttpRequest.BodyPublishers.ofString(b.toString())).build(),
                HttpResponse.BodyHandlers.ofString());
        if (r.statusCode() != 200) {
            throw new AssertionError("HTTP " + r.statusCode());
        }
        return r.body();
    }

    static String str(String s) {
        return "<string>" + s.replace("&", "&amp;").replace("<", "&lt;") + "</string>";
    }

    static Document xml(String text) throws Exception {
        DocumentBuilderFactory f = DocumentBuilderFactory.newInstance();
        f.setFeature("http://apache.org/xml/features/disallow-doctype-decl", true);
        return f.newDocumentBuilder().parse(new ByteArrayInputStream(text.getBytes(StandardCharsets.UTF_8)));
    }
}
