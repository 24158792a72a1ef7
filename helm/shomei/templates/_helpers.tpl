{{- define "shomei.fullname" -}}
{{- printf "%s-%s" .Release.Name .Chart.Name | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{- define "shomei.labels" -}}
app.kubernetes.io/name: {{ .Chart.Name }}
app.kubernetes.io/instance: {{ .Release.Name }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
{{- end -}}

{{- define "shomei.secretName" -}}
{{- default (printf "%s-env" (include "shomei.fullname" .)) .Values.secret.existingSecret -}}
{{- end -}}

{{/* The environment every container shares: the ConfigMap and the Secret. */}}
{{- define "shomei.envFrom" -}}
- configMapRef:
    name: {{ include "shomei.fullname" . }}-env
- secretRef:
    name: {{ include "shomei.secretName" . }}
{{- end -}}

{{- define "shomei.image" -}}
{{ .Values.image.repository }}:{{ .Values.image.tag }}
{{- end -}}
