// The frontend build: the page, stamped with the build's commit, into dist/.
import { mkdir, readFile, writeFile } from "node:fs/promises";

const page = await readFile(new URL("./public/index.html", import.meta.url), "utf8");
await mkdir(new URL("./dist/", import.meta.url), { recursive: true });
const built = page.replace("%COMMIT%", process.env.GITHUB_SHA ?? "local");
await writeFile(new URL("./dist/index.html", import.meta.url), built);
console.log(`dist/index.html: ${built.length} bytes`);
