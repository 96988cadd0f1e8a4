// rules/*.yaml imported by the Worker are bundled as text (wrangler.toml [[rules]] type = "Text").
declare module "*.yaml" {
  const text: string;
  export default text;
}
