// The tests' Git server is the one `poolkeeper demo` serves its pool repository with (cli/demo/git-server.ts).
export {
  startGitServer,
  type AuthorizationEcho,
  type GitServer,
  type GitServerAuth,
  type GitServerOptions,
} from "../../cli/demo/git-server.ts";
