import * as OpenCC from "opencc-js";

// Taiwan Traditional with Taiwanese phrasing, as the site's readers write: used to measure the same data in both scripts.
export const toTraditional = OpenCC.Converter({ from: "cn", to: "tw" });
