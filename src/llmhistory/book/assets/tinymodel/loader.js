// Inlined into each live panel's HTML by llmhistory.book.live (ROOT_ID is replaced by the
// panel's id). Shows the panel's button when scripts run in the built book, and imports
// panels.js only when the reader presses it; a failed load can be retried.
(function(){
var root=document.getElementById(ROOT_ID);if(!root||root.dataset.wired)return;root.dataset.wired="1";
var body=root.querySelector(".llmh-live-body"),button=root.querySelector("[data-role=load]"),status=root.querySelector("[data-role=status]");
var base=document.documentElement.getAttribute("data-content_root");
if(base===null)return;
root.querySelector(".llmh-live-fallback").hidden=true;body.hidden=false;
button.addEventListener("click",function(){
if(button.getAttribute("aria-disabled")==="true")return;button.setAttribute("aria-disabled","true");root.dataset.state="loading";status.textContent="Loading the model\u2026";
var dir=new URL(base+"_static/tinymodel/",document.baseURI).href;
import(dir+"panels.js").then(function(m){return m.start(root,dir);}).catch(function(e){
root.dataset.state="error";status.textContent="Could not load the model: "+(e&&e.message||e)+". Check the connection and retry.";
button.textContent="Retry loading the model";button.setAttribute("aria-disabled","false");});
});})();
