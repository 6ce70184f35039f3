package main

import (
	"bufio"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// process is the unionhall binary running against the fakes; it can be
// killed and started again on the same database.
type process struct {
	bin, logPath string
	env          []string
	metricsURL   string

	cmd    *exec.Cmd
	log    *os.File
	exited chan error
}

// newProcess prepares bin to run with env, logging to logPath and serving
// its metrics on a free loopback port.
func newProcess(bin, logPath string, env []string) (*process, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, fmt.Errorf("find a port for the metrics: %w", err)
	}
	addr := ln.Addr().String()
	ln.Close()
	return &process{bin: bin, logPath: logPath, metricsURL: "http://" + addr + "/metrics",
		env: append(env, "UNIONHALL_HTTP_ADDR="+addr)}, nil
}

// start runs "unionhall run", appending to the log.
func (p *process) start() error {
	f, err := os.OpenFile(p.logPath, os.O_CREATE|os.O_APPEND|os.O_WRONLY, 0o600)
	if err != nil {
		return fmt.Errorf("open the log: %w", err)
	}
	cmd := exec.Command(p.bin, "run")
	cmd.Env = p.env
	cmd.Stdout, cmd.Stderr = f, f
	if err := cmd.Start(); err != nil {
		f.Close()
		return fmt.Errorf("start unionhall: %w", err)
	}
	p.cmd, p.log, p.exited = cmd, f, make(chan error, 1)
	go func() { p.exited <- cmd.Wait() }()
	return nil
}

// pid is the running process's ID.
func (p *process) pid() int { return p.cmd.Process.Pid }

// kill ends the process with SIGKILL, as a crash or an OOM killer would.
func (p *process) kill() {
	p.cmd.Process.Kill()
	<-p.exited
	p.log.Close()
}

// stop ends the process with SIGTERM, killing it if it does not exit
// within 20 s.
func (p *process) stop() {
	p.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-p.exited:
	case <-time.After(20 * time.Second):
		p.cmd.Process.Kill()
		<-p.exited
	}
	p.log.Close()
}

// metric scrapes the named gauges from the process's /metrics; a name
// it cannot read is missing from the result.
func (p *process) metric(names ...string) map[string]float64 {
	out := map[string]float64{}
	client := http.Client{Timeout: 2 * time.Second}
	resp, err := client.Get(p.metricsURL)
	if err != nil {
		return out
	}
	defer resp.Body.Close()
	sc := bufio.NewScanner(resp.Body)
	sc.Buffer(make([]byte, 1<<16), 1<<20)
	for sc.Scan() {
		name, v, ok := strings.Cut(sc.Text(), " ")
		if !ok || !slices.Contains(names, name) {
			continue
		}
		if n, err := strconv.ParseFloat(strings.TrimSpace(v), 64); err == nil {
			out[name] = n
		}
	}
	return out
}

// goroutines scrapes go_goroutines from the process's /metrics; -1 when
// it cannot.
func (p *process) goroutines() int {
	if n, ok := p.metric("go_goroutines")["go_goroutines"]; ok {
		return int(n)
	}
	return -1
}

// heapGauges are the Go runtime's memory figures read at rest: what the
// heap holds, what it holds free, and what it has given back to the
// kernel, beside the RSS.
var heapGauges = []string{"go_memstats_heap_inuse_bytes", "go_memstats_heap_idle_bytes", "go_memstats_heap_released_bytes", "go_memstats_sys_bytes"}

// idle is the process's level at rest.
type idle struct {
	rssKB      int64
	goroutines int
	heap       map[string]float64 // heapGauges
}

// heapSummary formats the heap gauges in MB.
func (i idle) heapSummary() string {
	return fmt.Sprintf("heap in use %.1f MB, idle %.1f MB (released %.1f MB), from the OS %.1f MB",
		i.heap["go_memstats_heap_inuse_bytes"]/(1<<20), i.heap["go_memstats_heap_idle_bytes"]/(1<<20),
		i.heap["go_memstats_heap_released_bytes"]/(1<<20), i.heap["go_memstats_sys_bytes"]/(1<<20))
}

// settle waits, at most limit, until the process's goroutines stop
// falling (the same count three samples in a row, a second apart), and
// returns its level then.
func (p *process) settle(limit time.Duration) idle {
	deadline := time.Now().Add(limit)
	last, same := -2, 0
	for {
		n := p.goroutines()
		if n == last {
			same++
		} else {
			last, same = n, 0
		}
		if same >= 2 || time.Now().After(deadline) {
			return idle{rssKB: newSampler(p.pid()).sample().rss, goroutines: n, heap: p.metric(heapGauges...)}
		}
		time.Sleep(time.Second)
	}
}
