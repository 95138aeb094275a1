package dottest

import (
	"os/exec"
	"path/filepath"
	"testing"
)

// BuildRobot compiles the robot command into the test's temp dir and returns
// its path, for use as LAYMAN_BROWSER together with RobotEnv.
func BuildRobot(t testing.TB) string {
	t.Helper()
	bin := filepath.Join(t.TempDir(), "robot")
	cmd := exec.Command("go", "build", "-o", bin, "github.com/laymanctl/laymanctl/auth/dottest/robot")
	cmd.Dir = filepath.Dir(projectDir()) // inside the module
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("build the robot: %v\n%s", err, out)
	}
	return bin
}

// RobotEnv is the environment the robot command reads its user from; logPath
// (optional) receives one line per login, "robot: logged in" or the error.
func RobotEnv(username, password, logPath string) []string {
	env := []string{"ROBOT_USERNAME=" + username, "ROBOT_PASSWORD=" + password}
	if logPath != "" {
		env = append(env, "ROBOT_LOG="+logPath)
	}
	return env
}
