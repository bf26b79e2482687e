package io.onefed.upgrade.browser;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.function.Function;
import java.util.stream.Stream;
import org.openqa.selenium.By;
import org.openqa.selenium.Dimension;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.TimeoutException;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.support.ui.ExpectedConditions;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * Debian's headless Chromium driven by Debian's chromedriver (never a downloaded browser or driver), with a fresh
 * profile under {@code target/}, and the Camunda webapps' login. Screenshots go to {@code target/screenshots/}.
 */
final class Browser implements AutoCloseable {

    static final Path CHROMIUM = Path.of("/usr/bin/chromium");
    static final Path CHROMEDRIVER = Path.of("/usr/bin/chromedriver");
    static final Path SCREENSHOTS = Path.of("target", "screenshots");
    private static final Duration WAIT = Duration.ofSeconds(20);

    private final String base;
    private final Path profile;
    private final ChromeDriverService service;
    private final ChromeDriver driver;
    private int timeouts;

    Browser(int port) {
        for (Path p : List.of(CHROMIUM, CHROMEDRIVER)) {
            if (!Files.isExecutable(p)) {
                throw new IllegalStateException(p + " is missing: the browser tests need Debian's chromium and"
                        + " chromium-driver (apt-get install chromium chromium-driver; .ci/run installs them)");
            }
        }
        this.base = "http://127.0.0.1:" + port;
        try {
            Files.createDirectories(SCREENSHOTS);
            try (Stream<Path> old = Files.list(SCREENSHOTS)) {
                old.forEach(p -> p.toFile().delete());
            }
            this.profile = Files.createTempDirectory(Path.of("target").toAbsolutePath(), "chromium-profile-");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        this.service = new ChromeDriverService.Builder()
                .usingDriverExecutable(CHROMEDRIVER.toFile())
                .usingAnyFreePort()
                .withLogFile(Path.of("target", "chromedriver.log").toFile())
                .build();
        ChromeOptions options = new ChromeOptions();
        options.setBinary(CHROMIUM.toFile());
        // root in CI needs --no-sandbox; the closed network refuses Chromium's own background connections
        options.addArguments("--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                "--disable-background-networking", "--disable-component-update", "--disable-sync",
                "--disable-dev-shm-usage", "--user-data-dir=" + profile, "--window-size=1440,1200", "--lang=en-US");
        options.setExperimentalOption("prefs", java.util.Map.of("intl.accept_languages", "en-US,en"));
        try {
            this.driver = new ChromeDriver(service, options);
        } catch (RuntimeException e) {
            service.stop();
            deleteProfile();
            throw e;
        }
        driver.manage().timeouts().pageLoadTimeout(Duration.ofSeconds(30));
    }

    WebDriver driver() {
        return driver;
    }

    String url(String path) {
        return base + path;
    }

    void open(String path) {
        driver.get(url(path));
    }

    /** Logs into a Camunda webapp ("tasklist", "cockpit") as {@code user}, after dropping any earlier session. */
    void login(String app, String user, String password) {
        logout();
        open("/camunda/app/" + app + "/default/");
        WebElement name = await(ExpectedConditions.visibilityOfElementLocated(By.cssSelector("input[ng-model='username']")));
        WebElement secret = driver.findElement(By.cssSelector("input[ng-model='password']"));
        // the sign-in page focuses the user field once it has rendered; when that comes late it steals the focus
        // while the password is typed (seen: both ended up in the user field). Type until both fields hold their value.
        for (int attempt = 0; attempt < 5; attempt++) {
            name.clear();
            secret.clear();
            name.sendKeys(user);
            secret.sendKeys(password);
            if (user.equals(name.getDomProperty("value")) && password.equals(secret.getDomProperty("value"))) {
                break;
            }
        }
        driver.findElement(By.cssSelector("form[name='signinForm'] button[type='submit']")).click();
        // the header names the signed-in user once the login went through
        await(ExpectedConditions.invisibilityOfElementLocated(By.cssSelector("form[name='signinForm']")));
    }

    /** Drops the session (cookies of this host) and leaves the single-page app, so the next open loads afresh. */
    void logout() {
        if (driver.getCurrentUrl().startsWith(base)) {
            driver.manage().deleteAllCookies();
        }
        driver.get("about:blank");
    }

    <T> T await(Function<? super WebDriver, T> condition) {
        return await(WAIT, condition);
    }

    <T> T await(Duration deadline, Function<? super WebDriver, T> condition) {
        try {
            return new WebDriverWait(driver, deadline, Duration.ofMillis(200)).until(condition);
        } catch (TimeoutException e) {
            // what the browser showed when the wait gave up, next to the screenshots
            String name = "timeout-" + (++timeouts);
            screenshot(name);
            try {
                Files.writeString(SCREENSHOTS.resolve(name + ".html"), driver.getCurrentUrl() + "\n" + driver.getPageSource());
            } catch (IOException io) {
                e.addSuppressed(io);
            }
            throw new TimeoutException(e.getMessage() + " (page saved as " + SCREENSHOTS.resolve(name) + ".png/.html)", e);
        }
    }

    /** Clicks {@code element} after scrolling it to the middle, clear of the webapps' fixed header and footer. */
    void click(WebElement element) {
        ((JavascriptExecutor) driver).executeScript("arguments[0].scrollIntoView({block: 'center'})", element);
        element.click();
    }

    /** Waits for the element to be clickable, then clicks it. */
    void click(By by) {
        click(await(ExpectedConditions.elementToBeClickable(by)));
    }

    /** The page's visible text. */
    String text() {
        return driver.findElement(By.tagName("body")).getText();
    }

    /** Saves the viewport (or, with {@code fullPage}, the whole page's height) as target/screenshots/{name}.png. */
    Path screenshot(String name, boolean fullPage) {
        Dimension before = driver.manage().window().getSize();
        try {
            if (fullPage) {
                Number height = (Number) ((JavascriptExecutor) driver).executeScript(
                        "return Math.max(document.body.scrollHeight, document.documentElement.scrollHeight)");
                driver.manage().window().setSize(new Dimension(before.getWidth(),
                        Math.min(6000, Math.max(before.getHeight(), height.intValue() + 150))));
            }
            Path file = SCREENSHOTS.resolve(name + ".png");
            Files.write(file, driver.getScreenshotAs(OutputType.BYTES));
            return file;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } finally {
            if (fullPage) {
                driver.manage().window().setSize(before);
            }
        }
    }

    Path screenshot(String name) {
        return screenshot(name, false);
    }

    @Override
    public void close() {
        try {
            driver.quit();
        } finally {
            service.stop();
            deleteProfile();
        }
    }

    private void deleteProfile() {
        try (Stream<Path> files = Files.walk(profile)) {
            files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException e) {
            // a leftover profile under target/ harms nothing
        }
    }
}
