# nimbus's Lambda runtime client for Ruby: the handler contract of AWS's ruby3.x runtimes.
#
# Started by nimbus in an execution environment with the standard Lambda environment. Loads the
# handler named by _HANDLER ("file.method" or "file.Module::Class.method") from LAMBDA_TASK_ROOT,
# then loops on the Runtime API (AWS_LAMBDA_RUNTIME_API): GET invocation/next, call the handler
# with `event:` and `context:` keywords, POST the response or the error. Errors are reported as
# AWS's Ruby runtime reports them: {"errorMessage", "errorType": "Function<Class>",
# "stackTrace"}; a failed load goes to init/error as "Init<Class>".
require 'json'
require 'socket'

$stdout.sync = true
$stderr.sync = true

# A kept-alive HTTP/1.1 connection to the Runtime API over a plain socket (net/http would add
# its load time to every cold start).
class NimbusRuntimeApi
  def initialize(host_port)
    @host_port = host_port
    host, _, port = host_port.rpartition(':')
    @host = host
    @port = port.to_i
    @sock = nil
    @buf = ''.b
  end

  def request(method, path, body = '', headers = {})
    2.times do |attempt|
      begin
        connect unless @sock
        head = +"#{method} /2018-06-01/runtime/#{path} HTTP/1.1\r\nHost: #{@host_port}\r\n" \
                "Content-Length: #{body.bytesize}\r\n"
        headers.each { |k, v| head << "#{k}: #{v}\r\n" }
        @sock.write(head << "\r\n", body)
        return read_response
      rescue SystemCallError, IOError, EOFError
        close
        raise if attempt == 1
      end
    end
  end

  private

  def connect
    @sock = TCPSocket.new(@host, @port)
    @sock.setsockopt(Socket::IPPROTO_TCP, Socket::TCP_NODELAY, 1)
    @buf = ''.b
  end

  def close
    @sock&.close
    @sock = nil
  end

  def fill
    data = @sock.readpartial(65_536)
    @buf << data
  end

  def read_response
    fill until @buf.include?("\r\n\r\n")
    head, rest = @buf.split("\r\n\r\n", 2)
    @buf = rest || ''.b
    lines = head.force_encoding('UTF-8').split("\r\n")
    status = lines[0].split(' ', 3)[1].to_i
    headers = {}
    lines[1..].each do |line|
      name, value = line.split(':', 2)
      headers[name.strip.downcase] = value.to_s.strip
    end
    length = headers.fetch('content-length', '0').to_i
    fill while @buf.bytesize < length
    body = @buf.byteslice(0, length)
    @buf = @buf.byteslice(length..) || ''.b
    close if headers['connection'].to_s.downcase == 'close'
    [status, headers, body]
  end
end

# The context object handlers receive (`context.aws_request_id`, ...).
class NimbusLambdaContext
  attr_reader :aws_request_id, :invoked_function_arn, :log_group_name, :log_stream_name,
              :function_name, :memory_limit_in_mb, :function_version, :identity,
              :client_context, :deadline_ms

  def initialize(headers)
    @aws_request_id = headers['lambda-runtime-aws-request-id']
    @invoked_function_arn = headers['lambda-runtime-invoked-function-arn']
    @log_group_name = ENV['AWS_LAMBDA_LOG_GROUP_NAME']
    @log_stream_name = ENV['AWS_LAMBDA_LOG_STREAM_NAME']
    @function_name = ENV['AWS_LAMBDA_FUNCTION_NAME']
    @memory_limit_in_mb = ENV['AWS_LAMBDA_FUNCTION_MEMORY_SIZE']
    @function_version = ENV['AWS_LAMBDA_FUNCTION_VERSION']
    @deadline_ms = headers['lambda-runtime-deadline-ms'].to_i
    @identity = parse(headers['lambda-runtime-cognito-identity'])
    @client_context = parse(headers['lambda-runtime-client-context'])
  end

  def get_remaining_time_in_millis
    [@deadline_ms - (Process.clock_gettime(Process::CLOCK_REALTIME, :millisecond)), 0].max
  end

  private

  def parse(text)
    text.nil? || text.empty? ? nil : JSON.parse(text)
  rescue JSON::ParserError
    nil
  end
end

module NimbusRuntime
  TASK_ROOT = ENV.fetch('LAMBDA_TASK_ROOT', '/var/task')

  module_function

  RUNTIME_DIR = File.dirname(File.expand_path(__FILE__))

  # The function's frames only, as AWS reports them (not the runtime's nor Ruby's internals).
  def error_body(error, type)
    frames = (error.backtrace || []).reject do |f|
      f.start_with?(RUNTIME_DIR, '<internal:')
    end
    { 'errorMessage' => error.message, 'errorType' => type, 'stackTrace' => frames }
  end

  def log_error(body, label)
    # One log event, as AWS writes it: line breaks become carriage returns.
    $stdout.write("#{label}\r#{JSON.pretty_generate(body).gsub("\n", "\r")}\n")
  end

  def post_json(api, path, body, error_type = nil)
    headers = { 'Content-Type' => 'application/json' }
    headers['Lambda-Runtime-Function-Error-Type'] = error_type if error_type
    api.request('POST', path, JSON.generate(body), headers)
  end

  # "file.method" or "file.Module::Class.method": the file (relative to the task root, without
  # .rb), an optional class or module and the method.
  def load_handler(spec)
    parts = spec.split('.')
    unless [2, 3].include?(parts.size) && parts.none?(&:empty?)
      raise ArgumentError, "Invalid handler #{spec}: use FILE.METHOD or FILE.CLASS.METHOD"
    end
    file = File.join(TASK_ROOT, parts[0])
    require file
    method = parts[-1]
    if parts.size == 3
      target = Object.const_get(parts[1])
      unless target.respond_to?(method)
        raise NoMethodError, "undefined method `#{method}' for #{parts[1]}"
      end
      ->(event, context) { target.public_send(method, event: event, context: context) }
    else
      unless Object.private_method_defined?(method) || Object.method_defined?(method)
        raise NoMethodError, "undefined method `#{method}' in #{parts[0]}.rb"
      end
      ->(event, context) { TOPLEVEL_BINDING.receiver.send(method, event: event, context: context) }
    end
  end

  def run
    api = NimbusRuntimeApi.new(ENV.fetch('AWS_LAMBDA_RUNTIME_API'))
    $LOAD_PATH.unshift(TASK_ROOT) unless $LOAD_PATH.include?(TASK_ROOT)
    begin
      handler = load_handler(ENV.fetch('_HANDLER', ''))
    rescue ScriptError, StandardError => e
      body = error_body(e, "Init<#{e.class}>")
      log_error(body, 'Init error when loading handler')
      post_json(api, 'init/error', body, body['errorType'])
      exit!(1)
    end
    loop do
      status, headers, payload = api.request('GET', 'invocation/next')
      next unless status == 200

      request_id = headers['lambda-runtime-aws-request-id']
      if headers['lambda-runtime-trace-id']
        ENV['_X_AMZN_TRACE_ID'] = headers['lambda-runtime-trace-id']
      else
        ENV.delete('_X_AMZN_TRACE_ID')
      end
      base = "invocation/#{request_id}/"
      begin
        event = payload.empty? ? {} : JSON.parse(payload)
        result = handler.call(event, NimbusLambdaContext.new(headers))
      rescue StandardError, ScriptError => e
        body = error_body(e, "Function<#{e.class}>")
        log_error(body, 'Error raised from handler method')
        post_json(api, base + 'error', body, body['errorType'])
        next
      end
      begin
        out = JSON.generate(result)
      rescue StandardError => e
        body = error_body(e, 'Runtime.MarshalError')
        log_error(body, 'Error serializing the response')
        post_json(api, base + 'error', body, body['errorType'])
        next
      end
      api.request('POST', base + 'response', out, { 'Content-Type' => 'application/json' })
    end
  end
end

NimbusRuntime.run
